package dev.kmap.report

/**
 * An output that cannot be written, found before the first packet: an unwritable path, two
 * outputs (or an output and an input) on one file, two formats on standard output. [message]
 * is one line naming the output; [advice] says what to do instead. Unchecked, as a bad
 * argument is (Java callers need not declare it).
 *
 * ```kotlin
 * try { ScanJob(plan).runBlocking() } catch (e: OutputException) { System.err.println("${e.message} (${e.advice})") }
 * // -oX and -oJ would both write "same.out" (give each output its own file)
 * ```
 */
public class OutputException(message: String, public val advice: String) : IllegalArgumentException(message)
