package dev.kmap.report

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.engine.ScanUnavailableException
import java.io.IOException

/**
 * The one mapping from a failed scan to what a person reads: every front end (the CLI, the
 * Gradle plugin, scripts) turns an exception into a [Problem] here and only chooses how to show
 * it (exit status and hint line, a build failure). [message] is one line; [advice] a hint
 * worth showing, when the cause knows one.
 *
 * ```kotlin
 * try { ScanJob(plan).runBlocking() } catch (e: Exception) {
 *     val p = Problem.of(e); System.err.println("kmap: ${p.message}"); exitProcess(p.kind.exitStatus)
 * }
 * ```
 */
public class Problem(public val kind: Kind, public val message: String, public val advice: String?, public val cause: Throwable) {
    /** What went wrong, and the exit status the CLI gives it. */
    public enum class Kind(public val exitStatus: Int) {
        /** Bad input (a target, port, file, output): the user can fix it. */
        INPUT(2),
        /** The scan type or probe cannot run here (no raw packets): the user can choose another. */
        UNAVAILABLE(2),
        /** The system failed the scan (a file could not be written midway, a socket error). */
        IO(1),
        /** Anything else: a bug or an unexpected condition; the stack trace helps. */
        BUG(1),
    }

    public companion object {
        /** The problem [e] stands for. */
        public fun of(e: Throwable): Problem = when (e) {
            is OutputException -> Problem(Kind.INPUT, line(e.message), e.advice, e)
            is InvalidSpecException -> Problem(Kind.INPUT, line(e.message), null, e)
            is ScanUnavailableException -> Problem(Kind.UNAVAILABLE, line(e.message), null, e)
            is IOException -> Problem(Kind.IO, line(e.message ?: e.javaClass.simpleName), null, e)
            else -> Problem(Kind.BUG, "the scan failed: ${e.javaClass.simpleName}: ${line(e.message)}", null, e)
        }

        private fun line(text: String?): String = (text ?: "").lineSequence().firstOrNull().orEmpty().trim()
    }
}
