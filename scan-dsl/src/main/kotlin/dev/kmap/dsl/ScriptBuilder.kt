package dev.kmap.dsl

/**
 * The receiver of `script(name) { }`: the script's arguments.
 *
 * ```kotlin
 * scan { script("http-title") { arg("path", "/") } }
 * ```
 */
@KmapDsl
public class ScriptBuilder internal constructor(private val selector: String) {
    private val args = LinkedHashMap<String, String>()

    /** Sets argument [name] to [value]. */
    public fun arg(name: String, value: String) {
        if (name.isBlank()) invalid("empty script argument name for \"$selector\" (expected name=value)")
        args[name] = value
    }

    internal fun build(): ScriptSelection = ScriptSelection(selector, args.toMap())
}
