package dev.kmap.dsl

/**
 * nmap's `--script-args` syntax, written once for the command line, argument files and
 * redaction: comma-separated `name=value` pairs, a value quoted with `"` or `'` to hold commas, a
 * name without `=` gets `""`.
 *
 * ```kotlin
 * ScriptArgsText.parse("http-title.path=/,user='a,b'")   // {http-title.path=/, user=a,b}
 * ```
 */
public object ScriptArgsText {
    /** Parses [text]; raises [InvalidSpecException] naming the bad part. */
    public fun parse(text: String): Map<String, String> {
        val out = LinkedHashMap<String, String>()
        var i = 0
        while (i < text.length) {
            val eq = text.indexOfAny(charArrayOf('=', ','), i)
            val name = text.substring(i, if (eq < 0) text.length else eq).trim()
            if (name.isEmpty()) invalid("empty script argument name at \"${shown(text.substring(i))}\" (expected name=value,...)")
            if (name.any { it.isISOControl() }) invalid("invalid script argument name \"${shown(name)}\" (expected name=value,...)")
            if (eq < 0 || text[eq] == ',') { out[name] = ""; i = if (eq < 0) text.length else eq + 1; continue }
            var j = eq + 1
            while (j < text.length && text[j] == ' ') j++
            val value: String
            if (j < text.length && (text[j] == '"' || text[j] == '\'')) {
                val close = text.indexOf(text[j], j + 1)
                if (close < 0) invalid("unterminated quote in script argument \"${shown(name)}\" (expected name=\"value\")")
                value = text.substring(j + 1, close)
                j = close + 1
                while (j < text.length && text[j] == ' ') j++
                if (j < text.length && text[j] != ',') invalid("text after the quoted value of script argument \"${shown(name)}\" (expected a comma)")
            } else {
                val comma = text.indexOf(',', j).let { if (it < 0) text.length else it }
                value = text.substring(j, comma).trim()
                j = comma
            }
            out[name] = value
            i = j + 1
        }
        return out
    }

    /**
     * Parses an argument file (nmap's `--script-args-file`): the [parse] syntax on each line,
     * `#` starting a comment line, blank lines ignored. [source] names the file in errors
     * (`FILE:LINE: …`).
     */
    public fun parseFile(text: String, source: String): Map<String, String> {
        val out = LinkedHashMap<String, String>()
        text.lineSequence().forEachIndexed { i, raw ->
            val line = raw.trim()
            if (line.isEmpty() || line.startsWith("#")) return@forEachIndexed
            try { out += parse(line) } catch (e: InvalidSpecException) { invalid("$source:${i + 1}: ${e.message}") }
        }
        return out
    }

    /** [s] for a one-line message: control characters escaped, at most 60 characters. */
    private fun shown(s: String): String {
        val escaped = s.take(60).map { c -> if (c.isISOControl()) "\\u%04x".format(c.code) else c.toString() }.joinToString("")
        return if (s.length > 60) "$escaped…" else escaped
    }

    /** [args] in the [parse] syntax (quoted where a value holds a comma or starts with a quote or blank). */
    public fun format(args: Map<String, String>): String = args.entries.joinToString(",") { (k, v) ->
        val plain = v.none { it == ',' } && !v.startsWith('"') && !v.startsWith('\'') && v == v.trim()
        when {
            plain -> "$k=$v"
            '"' !in v -> "$k=\"$v\""
            else -> "$k='$v'"
        }
    }
}
