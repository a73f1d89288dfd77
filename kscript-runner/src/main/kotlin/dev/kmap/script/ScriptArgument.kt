package dev.kmap.script

/**
 * An argument a script documents with [ScanScript.argument]: its [name], what it does, and the
 * [default] the script uses when it is not given.
 *
 * ```kotlin
 * ScriptArgument("path", "the path to request", "/")
 * ```
 */
public data class ScriptArgument(val name: String, val description: String, val default: String?)
