package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * One report to write: a [format] and a [path] (`-` is standard output).
 *
 * ```kotlin
 * val o = OutputSpec(OutputFormat.JSON, "scan.json")
 * ```
 */
@Serializable
public data class OutputSpec(val format: OutputFormat, val path: String) {
    init {
        if (path.isEmpty() || path.any { it == '\u0000' }) invalid("invalid output path \"$path\" for ${format.flag} (expected a file name or -)")
    }
}
