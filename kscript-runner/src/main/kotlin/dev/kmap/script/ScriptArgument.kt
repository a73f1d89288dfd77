package dev.kmap.script

/**
 * An argument a script documents with [ScanScript.argument]: its [name], what it does, the
 * [default] the script uses when it is not given, and whether its value is a [secret] (hidden
 * wherever kmap echoes script arguments, see `SecretArguments`).
 *
 * ```kotlin
 * ScriptArgument("path", "the path to request", "/")
 * ```
 */
public data class ScriptArgument(val name: String, val description: String, val default: String?, val secret: Boolean = false)
