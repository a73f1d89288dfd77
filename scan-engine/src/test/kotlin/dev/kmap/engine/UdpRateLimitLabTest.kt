package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals

/**
 * The UDP scan against a target with Linux's default ICMP error rate limit (a burst of 6, then
 * one port unreachable per second to us): every closed port must still be found, because the
 * scan retransmits and slows to the limiter's pace instead of taking silence for open|filtered.
 */
@RequiresLab(config = UdpRateLimitLabTest.Config::class)
class UdpRateLimitLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmw",
            hosts = 1,
            net4 = "10.222.0",
            net6 = "fd10:222::",
            anyIpPrefix = null,
            liftIcmpRateLimit = false,
        ).withSystemOverrides()
    }

    @Test
    fun `every closed port is found behind the kernel's ICMP rate limit`(lab: Lab) = runBlocking {
        val ports = (1..14) + listOf(53, 161, 162)
        val plan = scan {
            targets(lab.host(1).ipv4); ports("U:1-14,53,161,162"); udp(); skipDiscovery(); timing(T4); dns(DnsResolution.NEVER)
        }
        val result = scan(plan, EngineConfig(progressIntervalMillis = 0)).hosts.single()
        val expected = ports.sorted().associateWith {
            when (it) {
                53, 161 -> PortState.OPEN
                162 -> PortState.OPEN_FILTERED
                else -> PortState.CLOSED
            }
        }
        assertEquals(expected, result.ports.associate { it.port to it.state }, "14 closed ports, 8 beyond the limiter's burst")
        assertEquals(List(14) { "port-unreach" }, result.ports.filter { it.port <= 14 }.map { it.reason })
    }
}
