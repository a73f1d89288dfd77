package dev.kmap.store.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStats
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals

/** Learned timing from finished hosts: samples per network, and the loss estimate from silent ports. */
class TimingSamplesTest {
    private fun host(address: String, status: HostStatus, latency: Long?, ports: List<PortResult>, error: String? = null) =
        HostResult(Host(IpAddress.parse(address)), status, "syn-ack", ports, latencyMicros = latency, error = error)

    private fun port(n: Int, state: PortState, rtt: Long?) = PortResult(n, Protocol.TCP, state, "r", null, rtt)

    private fun stats(probes: Long) = ScanStats(0, 1, 1, 0, 1, probes, false)

    @Test
    fun `samples per network, silent ports count their retries, down and failed hosts count nothing`() {
        val t = TimingSamples(maxRetries = 2)
        // 4 decisions, 2 silent (filtered and open|filtered without an RTT; a closed port without one is an answer)
        t.add(
            host(
                "10.252.0.1", HostStatus.UP, 40,
                listOf(port(1, PortState.OPEN, 10), port(2, PortState.FILTERED, null), port(3, PortState.CLOSED, null), port(4, PortState.OPEN_FILTERED, null)),
            ),
        )
        t.add(host("10.252.0.2", HostStatus.UP, null, listOf(port(1, PortState.CLOSED, 30), port(2, PortState.CLOSED, 20))))
        t.add(host("10.252.1.9", HostStatus.UP, 7, emptyList()))
        t.add(host("10.252.0.3", HostStatus.DOWN, 1, listOf(port(1, PortState.FILTERED, null))))
        t.add(host("10.252.0.4", HostStatus.UP, 1, listOf(port(1, PortState.OPEN, 1)), error = "send failed"))
        // 6 decisions + 2 silent * 2 retries = 10 probes expected; 12 sent: 2 lost
        val timings = t.timings(stats(12), now = 5)
        assertEquals(listOf("10.252.0.0/24", "10.252.1.0/24"), timings.map { it.network })
        val lab = timings[0]
        // samples 40, 10, 30, 20: sorted 10 20 30 40, median at index 2 = 30; deviations 20 10 0 10 -> sorted 0 10 10 20 -> 10
        assertEquals(listOf(30L, 10L, 4L, 5L), listOf(lab.srttMicros, lab.rttvarMicros, lab.samples, lab.updatedAtMillis))
        assertEquals(2.0 / 12, lab.loss, 1e-9)
        assertEquals(7L to 1L, timings[1].srttMicros to timings[1].samples)
    }

    @Test
    fun `a network keeps at most MAX_SAMPLES port samples, and a 65535-port host is sampled in one pass`() {
        val t = TimingSamples(maxRetries = 0)
        val ports = (1..65_535).map { port(it, PortState.CLOSED, (it % 100).toLong()) }
        t.add(host("10.252.0.1", HostStatus.UP, 50, ports))
        val timing = t.timings(stats(65_535), now = 0).single()
        assertEquals(TimingSamples.MAX_SAMPLES.toLong(), timing.samples)
        assertEquals(0.0, timing.loss)
    }
}
