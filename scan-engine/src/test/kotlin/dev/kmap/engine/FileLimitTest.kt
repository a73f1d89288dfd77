package dev.kmap.engine

import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** A connect scan never fails with "too many open files": it sizes its window under the limit. */
class FileLimitTest {
    @Test
    fun `a scan under a 64 file limit completes with exact results`() {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val cp = System.getProperty("java.class.path")
        val p = ProcessBuilder("bash", "-c", "ulimit -n 64 && exec \"$java\" -cp \"$cp\" dev.kmap.engine.FdLimitMainKt")
            .redirectErrorStream(true).start()
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child scan finished")
        val out = p.inputStream.bufferedReader().readText()
        assertEquals(0, p.exitValue(), out)
        val line = out.lines().single { it.startsWith("total=") }
        assertTrue(line.startsWith("total=3003 listeners-open=true"), line)
        assertTrue("Too many open files" !in out, out)
    }
}
