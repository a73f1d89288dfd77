package dev.kmap.script

/**
 * A `--script` selector matched nothing, or a script file could not be read: the message is one
 * line naming the bad value and what was expected.
 *
 * ```kotlin
 * ScriptLibrary.builtIn().select("htp-title") // throws: unknown script "htp-title" ...
 * ```
 */
public class ScriptSelectionException(message: String) : IllegalArgumentException(message)
