package dev.kmap.cli

import dev.kmap.engine.ScanEvent
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

class ProgressBarTest {
    private val p = ScanEvent.Progress(hostsDone = 3, hostsTotal = 10, probesSent = 12_345, probesPerSecond = 5_120.4, etaMillis = 42_000)

    @Test
    fun `renders hosts, probes, rate and ETA within the width`() {
        val line = ProgressBar.render(p, elapsedMillis = 18_000, width = 80)
        assertEquals("[" + "#".repeat(8) + ".".repeat(19) + "]  30%  3/10 hosts  12,345 probes  5,120/s ETA 0:42", line)
        assertEquals(79, line.length)
        assertEquals(40 + 2 + 50, ProgressBar.render(p, 18_000, width = 200).length, "the bar is at most 40 wide")
    }

    @Test
    fun `fraction comes from the ETA when there is one, else hosts`() {
        assertEquals(0.3, ProgressBar.fraction(p, 18_000), 1e-9)
        assertEquals(0.3, ProgressBar.fraction(p.copy(etaMillis = null), 18_000), 1e-9)
        assertEquals(0.0, ProgressBar.fraction(p.copy(hostsTotal = 0, etaMillis = null), 0), 1e-9)
    }

    @Test
    fun `narrow terminals get text only, no ETA when unknown`() {
        assertEquals("30%  3/10 hosts  12,345 probes  5,120/s", ProgressBar.render(p.copy(etaMillis = null), 0, width = 50))
        assertEquals("1:01:01", ProgressBar.clock(3_661_000))
        assertEquals("12:05", ProgressBar.clock(725_000))
    }

    @Test
    fun `the bar redraws in place and clears itself`() {
        val bytes = ByteArrayOutputStream()
        val bar = ProgressBar(PrintStream(bytes, true), 80)
        bar.clear()
        assertEquals("", bytes.toString())
        bar.update(p, 18_000)
        bar.clear()
        val text = bytes.toString()
        assertTrue(text.startsWith("\r[") && text.endsWith("\r\u001b[K"))
    }
}
