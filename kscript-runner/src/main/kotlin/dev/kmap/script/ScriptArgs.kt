package dev.kmap.script

/**
 * Script arguments as nmap's `--script-args` gives them: `name=value` for every script, or
 * `script.name=value` for one script ([ActionContext.arg] prefers the latter).
 *
 * ```kotlin
 * val args = ScriptArgs.parse("http-title.path=/index.html,timeout=5")
 * args["http-title.path"] // "/index.html"
 * ```
 */
public class ScriptArgs(public val values: Map<String, String>) {
    /** The value of [name] exactly as given, or null. */
    public operator fun get(name: String): String? = values[name]

    /** The value for script [script]: `script.name` first, then `name`. */
    public fun forScript(script: String, name: String): String? = values["$script.$name"] ?: values[name]

    /** These arguments overridden by [other]. */
    public operator fun plus(other: Map<String, String>): ScriptArgs = ScriptArgs(values + other)

    override fun toString(): String = values.entries.joinToString(",") { "${it.key}=${it.value}" }

    public companion object {
        /** No arguments. */
        public val EMPTY: ScriptArgs = ScriptArgs(emptyMap())

        /**
         * Parses nmap's `--script-args` text: comma-separated `name=value` pairs; a value may be
         * quoted with `"` or `'` to hold commas. A name without `=` gets the value `""`.
         * Throws [IllegalArgumentException] naming the bad part.
         */
        public fun parse(text: String): ScriptArgs {
            val out = LinkedHashMap<String, String>()
            var i = 0
            while (i < text.length) {
                val eq = text.indexOfAny(charArrayOf('=', ','), i)
                val name = text.substring(i, if (eq < 0) text.length else eq).trim()
                if (name.isEmpty()) throw IllegalArgumentException("empty script argument name at \"${text.substring(i)}\" (expected name=value,...)")
                if (eq < 0 || text[eq] == ',') { out[name] = ""; i = if (eq < 0) text.length else eq + 1; continue }
                var j = eq + 1
                while (j < text.length && text[j] == ' ') j++
                val value: String
                if (j < text.length && (text[j] == '"' || text[j] == '\'')) {
                    val close = text.indexOf(text[j], j + 1)
                    if (close < 0) throw IllegalArgumentException("unterminated quote in script argument \"$name\" (expected name=\"value\")")
                    value = text.substring(j + 1, close)
                    j = close + 1
                    while (j < text.length && text[j] == ' ') j++
                    if (j < text.length && text[j] != ',') throw IllegalArgumentException("text after the quoted value of script argument \"$name\" (expected a comma)")
                } else {
                    val comma = text.indexOf(',', j).let { if (it < 0) text.length else it }
                    value = text.substring(j, comma).trim()
                    j = comma
                }
                out[name] = value
                i = j + 1
            }
            return ScriptArgs(out)
        }
    }
}
