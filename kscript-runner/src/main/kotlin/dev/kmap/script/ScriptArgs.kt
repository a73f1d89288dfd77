package dev.kmap.script

import dev.kmap.dsl.ScriptArgsText
import dev.kmap.dsl.SecretArguments

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

    /** The arguments in `--script-args` form, secret values masked ([SecretArguments]). */
    override fun toString(): String = ScriptArgsText.format(SecretArguments.redact(values))

    public companion object {
        /** No arguments. */
        public val EMPTY: ScriptArgs = ScriptArgs(emptyMap())

        /**
         * Parses nmap's `--script-args` text ([ScriptArgsText]): comma-separated `name=value`
         * pairs; a value may be quoted with `"` or `'` to hold commas. A name without `=` gets the
         * value `""`. Throws [IllegalArgumentException] naming the bad part.
         */
        public fun parse(text: String): ScriptArgs = ScriptArgs(ScriptArgsText.parse(text))
    }
}
