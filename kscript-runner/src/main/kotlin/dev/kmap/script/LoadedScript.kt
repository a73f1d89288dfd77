package dev.kmap.script

/**
 * A compiled and evaluated `.scan.kts`: its [id], [description], [categories] and [arguments] as
 * the script declared them. [ScriptHost.load] makes one; a [ScriptRunner] runs its action.
 *
 * ```kotlin
 * val s = ScriptHost().load(ScriptLibrary.builtIn().select("banner").single())
 * println("${s.id}: ${s.description} ${s.categories}")
 * ```
 */
public class LoadedScript internal constructor(
    /** The script id (file name without `.scan.kts`). */
    public val id: String,
    private val fileName: String,
    internal val instance: ScanScript,
) {
    /** What the script says it does. */
    public val description: String get() = instance.description

    /** The categories it declared. */
    public val categories: Set<String> get() = instance.declaredCategories.toSet()

    /** The arguments it documented. */
    public val arguments: List<ScriptArgument> get() = instance.declaredArguments.toList()

    /** `file:line` of the innermost frame of [e] in this script, if any. */
    internal fun lineOf(e: Throwable): String? {
        var t: Throwable? = e
        while (t != null) {
            t.stackTrace.firstOrNull { it.fileName == fileName && it.lineNumber > 0 }?.let { return "$fileName:${it.lineNumber}" }
            t = t.cause
        }
        return null
    }
}
