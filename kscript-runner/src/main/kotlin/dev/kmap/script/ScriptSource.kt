package dev.kmap.script

import java.io.File

/**
 * A script's [name] (its file name, e.g. `http-title.scan.kts`), its [text], and the [file] it
 * came from (null for a built-in script read from the jar). The script's id is the name without
 * `.scan.kts`.
 *
 * ```kotlin
 * val s = ScriptSource.of(File("checks/redis-ping.scan.kts"))
 * ```
 */
public data class ScriptSource(val name: String, val text: String, val file: File? = null) {
    /** The id scripts are reported under: the name without `.scan.kts` (or `.main.kts`/`.kts`). */
    public val id: String get() = name.removeSuffix(".scan.kts").removeSuffix(".main.kts").removeSuffix(".kts")

    public companion object {
        /** Reads [file]; throws [ScriptSelectionException] naming it when it cannot be read. */
        public fun of(file: File): ScriptSource {
            val why = when {
                !file.exists() -> "no such file"
                file.isDirectory -> "it is a directory"
                !file.canRead() -> "permission denied"
                else -> null
            }
            if (why != null) throw ScriptSelectionException("cannot read script \"$file\": $why")
            return ScriptSource(file.name, file.readText(), file)
        }
    }
}
