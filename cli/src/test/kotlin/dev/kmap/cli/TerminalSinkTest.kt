package dev.kmap.cli

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.scan
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanEvent
import dev.kmap.report.format.ReportOptions
import java.io.PrintStream
import java.io.Writer
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The terminal report's flushing: a sweep's hosts are not a write each, and nothing waits past the job's flush. */
class TerminalSinkTest {
    /** Keeps what was flushed apart from what waits in its buffer, and counts flushes. */
    private class Recorder : Writer() {
        val flushed = StringBuilder()
        private val buffered = StringBuilder()
        var flushes = 0
        override fun write(cbuf: CharArray, off: Int, len: Int) { buffered.appendRange(cbuf, off, off + len) }
        override fun flush() { flushes++; flushed.append(buffered); buffered.setLength(0) }
        override fun close() = flush()
    }

    private fun host(i: Int) = ScanEvent.HostFinished(HostResult(Host(IpAddress.parse("10.0.${i / 256}.${i % 256}")), HostStatus.UP, "syn-ack"))

    private fun feed(sink: TerminalSink, hosts: Int) {
        sink.event(ScanEvent.Started(scan { targets("10.0.0.0/22") }, 0, hosts.toLong()))
        repeat(hosts) { sink.event(host(it)) }
    }

    @Test
    fun `without a progress bar hosts are flushed every few ms, and the rest at the job's flush`() {
        val out = Recorder()
        val sink = TerminalSink(ReportOptions(), out, null)
        feed(sink, 1024)
        assertTrue(out.flushes < 512, "${out.flushes} flushes for 1024 hosts")
        sink.flush()
        assertEquals(1024, out.flushed.lines().count { it.startsWith("kmap scan report for 10.0.") })
    }

    @Test
    fun `with a progress bar each host is flushed before the bar is drawn again`() {
        val out = Recorder()
        val sink = TerminalSink(ReportOptions(), out, ProgressBar(PrintStream(java.io.OutputStream.nullOutputStream()), 80))
        feed(sink, 100)
        assertEquals(100, out.flushed.lines().count { it.startsWith("kmap scan report for 10.0.") })
        assertEquals(101, out.flushes)
    }
}
