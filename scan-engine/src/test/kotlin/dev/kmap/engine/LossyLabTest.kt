package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * A lossy link: the target drops 3% of what it receives and 3% of what it sends, at random.
 * A full SYN scan finds every open port in every run, and says how much went unanswered.
 */
@RequiresLab(config = LossyLabTest.Config::class)
class LossyLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "knb",
            hosts = 1,
            net4 = "10.241.0",
            net6 = "fd10:241::",
            anyIpPrefix = null,
            ports = HostPorts(tcp = setOf(22, 80, 443, 8080, 31337, 50000, 65535), udp = emptySet(), filteredTcp = setOf(8081), filteredUdp = emptySet()),
            lossPercent = 3,
            dropRstSourcePorts = 40_000..59_999,
        ).withSystemOverrides()
    }

    @Test
    fun `a full SYN scan finds every open port in every run`(lab: Lab) = runBlocking {
        val h = lab.host(1)
        repeat(3) { run -> // bounded: three scans of one host
            val t0 = System.nanoTime()
            val report = scan(
                scan { targets(h.ipv4); ports("-"); syn(); skipDiscovery(); timing(T4); dns(DnsResolution.NEVER) },
                EngineConfig(progressIntervalMillis = 0),
            )
            val seconds = (System.nanoTime() - t0) / 1e9
            val ports = report.hosts.single().ports
            assertEquals(h.openTcpPorts.toList(), ports.filter { it.state == PortState.OPEN }.map { it.port }, "run ${run + 1}: open ports")
            assertEquals(PortState.FILTERED, ports.single { it.port == 8081 }.state)
            val wrongClosed = ports.count { it.port != 8081 && it.state == PortState.FILTERED }
            println("lossy run ${run + 1}: %.2f s, %d probes, %d unanswered, %d re-probed (%d answered), rate lowered %s, closed ports misread as filtered: %d".format(
                seconds, report.stats.probesSent, report.stats.probesUnanswered, report.stats.reprobes, report.stats.reprobesAnswered, report.stats.rateLowered, wrongClosed))
            assertTrue(report.stats.probesUnanswered >= 1, "the filtered port's probes went unanswered and the report says so")
            assertTrue(wrongClosed <= 5, "closed ports misread as filtered: $wrongClosed")
            assertTrue(seconds < 60, "took $seconds s")
        }
    }
}
