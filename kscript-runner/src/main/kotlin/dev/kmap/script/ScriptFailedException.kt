package dev.kmap.script

/**
 * A script threw while it ran (its top level, not an action: those become script output). The
 * message names the script line, e.g. `scan.scan.kts:12: IllegalStateException: no targets`.
 *
 * ```kotlin
 * try { host.runFile(file, args) } catch (e: ScriptFailedException) { System.err.println(e.message) }
 * ```
 */
public class ScriptFailedException(message: String, cause: Throwable? = null) : RuntimeException(message, cause)
