package dev.kmap.cli

import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Script time budgets end to end: rules, top-level code and actions are stopped at
 * `--script-timeout`, the reports are closed well-formed when kmap is stopped with SIGTERM while
 * a script runs away, and `--script-timeout 0` is refused. Loopback only.
 */
class ScriptBudgetTest {
    @TempDir lateinit var dir: File

    private fun file(name: String, text: String) = File(dir, name).apply { writeText(text.trimIndent() + "\n") }

    /** `kmap args` as its own process (as bin/kmap runs it), so that a signal can be sent to it. */
    private fun kmap(vararg args: String): Process = ProcessBuilder(
        kmapCommand("-Dkmap.script.cache=${File(dir, "cache")}") + args,
    ).redirectOutput(File(dir, "out.txt")).redirectError(File(dir, "err.txt")).start()

    private fun finished(p: Process, seconds: Long): Boolean = p.waitFor(seconds, TimeUnit.SECONDS).also { if (!it) { p.descendants().forEach { d -> d.destroyForcibly() }; p.destroyForcibly() } }

    private val spinningRule = """
        portRule { while (true) {}; true }
        action { "never" }
    """

    @Test
    fun `--script-timeout 0 is refused`() {
        val hint = "e.g. --script-timeout 30s (the default is 10s)"
        assertEquals(Run("", "kmap: --script-timeout must be more than 0 (got \"0\")\nhint: $hint\n", 2), test("-sT -p 1 --script banner --script-timeout 0 127.0.0.1"))
        val f = file("x.scan.kts", "println(1)")
        assertEquals(Run("", "kmap: --script-timeout must be more than 0 (got \"0ms\")\nhint: $hint\n", 2), test(listOf("run", "--script-timeout", "0ms", f.path)))
    }

    @Test
    fun `the top level of kmap run gets the budget`() {
        // bounded to 5 s (well past the 1 s budget: had it finished, it would print "done") so the abandoned
        // thread of this in-process run does not take a core from the tests after it for long
        val f = file("slow.scan.kts", """
            val end = System.nanoTime() + 5_000_000_000L
            while (System.nanoTime() < end) {}
            println("done")
        """)
        val started = System.nanoTime()
        val r = test(listOf("run", "--script-timeout", "1s", f.path))
        val ms = (System.nanoTime() - started) / 1_000_000
        assertEquals(Run("", "kmap: ${f.path}: timed out after 1s in its top-level code (--script-timeout)\n", 1), r)
        assertTrue(ms < 15_000, "took $ms ms")
    }

    @Test
    fun `a port rule that never returns is stopped and the scan completes`() {
        LoopbackPorts().use { ports ->
            val spin = file("spin.scan.kts", spinningRule)
            val xml = File(dir, "scan.xml")
            val p = kmap("-sT", "-Pn", "-n", "-p", "${ports.open}", "--script", spin.path, "--script-timeout", "1s", "-oX", xml.path, "127.0.0.1")
            assertTrue(finished(p, 120), "kmap did not finish: ${File(dir, "err.txt").readText()}")
            assertEquals(0, p.exitValue(), File(dir, "err.txt").readText())
            val text = xml.readText()
            assertTrue(text.trimEnd().endsWith("</nmaprun>"), text)
            assertTrue("its portRule timed out after 1s (it ignored cancellation: the script process was ended)" in text, text)
        }
    }

    @Test
    fun `SIGTERM while a rule runs away closes the reports well-formed at once`() {
        LoopbackPorts().use { ports ->
            val spin = file("spin.scan.kts", spinningRule)
            val xml = File(dir, "scan.xml")
            val json = File(dir, "scan.json")
            val p = kmap("-sT", "-Pn", "-n", "-p", "${ports.open}", "--script", spin.path, "--script-timeout", "10m", "-oX", xml.path, "-oJ", json.path, "127.0.0.1")
            // the scan has started once the XML header is out; the one host then reaches the scripts in milliseconds
            val deadline = System.currentTimeMillis() + 120_000
            while (!(xml.isFile && "<nmaprun" in xml.readText()) && System.currentTimeMillis() < deadline && p.isAlive) Thread.sleep(100)
            Thread.sleep(1_500)
            assertTrue(p.isAlive, "kmap ended early: ${File(dir, "err.txt").readText()}")
            val stopped = System.nanoTime()
            p.destroy() // SIGTERM
            assertTrue(finished(p, 30), "kmap did not stop after SIGTERM")
            val ms = (System.nanoTime() - stopped) / 1_000_000
            assertTrue(p.exitValue() in setOf(130, 143), "exit status ${p.exitValue()}") // 143: the JVM's status after SIGTERM
            assertTrue(ms < 10_000, "stopping took $ms ms")
            assertTrue(xml.readText().trimEnd().endsWith("</nmaprun>"), xml.readText())
            assertValidNmapXml(xml.readText())
            kotlinx.serialization.json.Json.parseToJsonElement(json.readText())
        }
    }
}
