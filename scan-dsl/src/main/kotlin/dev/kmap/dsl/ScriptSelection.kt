package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * Scripts to run, chosen by name, glob (`http-*`) or category (`default`, `safe`...), with
 * their arguments (`--script-args`).
 *
 * ```kotlin
 * scan { script("http-title") { arg("path", "/") } }
 * ```
 */
@Serializable
public data class ScriptSelection(val selector: String, val args: Map<String, String> = emptyMap()) {
    init {
        if (selector.isBlank() || selector.any { it.isWhitespace() || it.isISOControl() }) {
            invalid("invalid script selector \"$selector\" (expected a script name, glob or category)")
        }
    }
}
