package dev.kmap.cli

import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.io.File.pathSeparator
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * An Error that passes every handler (here a broken installation: the script runner's classes are
 * missing) ends the process with one line and exit 1 at once: no stack trace, and no wait in the
 * Ctrl-C hook for a scan that is not running (it waited 15 s). Loopback only.
 */
class InternalErrorTest {
    @TempDir lateinit var dir: File

    @Test
    fun `an Error out of the command is one line and exit 1, without the interrupt hook's wait`() {
        val classPath = System.getProperty("java.class.path").split(pathSeparator).filterNot { "kscript-runner" in it }
        val out = File(dir, "out.txt")
        val started = System.nanoTime()
        val p = ProcessBuilder(
            kmapCommand(classPath = classPath.joinToString(pathSeparator)) + listOf("-sT", "-Pn", "-n", "-p", "1", "--no-store", "127.0.0.1"),
        ).redirectErrorStream(true).redirectOutput(out).start()
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kmap did not finish")
        val seconds = (System.nanoTime() - started) / 1e9
        val text = out.readText()
        assertEquals(1, p.exitValue(), text)
        assertTrue(text.lines().any { it.startsWith("kmap: internal error: java.lang.NoClassDefFoundError") }, text)
        assertFalse("\tat " in text, text)
        assertFalse("interrupted" in text, text)
        assertTrue(seconds < 10, "took $seconds s")
    }
}
