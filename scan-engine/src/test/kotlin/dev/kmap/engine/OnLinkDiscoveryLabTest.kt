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
import kotlin.test.assertTrue

/**
 * nmap's default discovery on a local link, as root: a set of present and absent on-link
 * addresses (the lab's bridge is directly attached) gives the exact host list, every host found
 * by ARP (IPv4) or NDP (IPv6), without any IP probe to the absent ones holding it up.
 */
@RequiresLab(config = OnLinkDiscoveryLabTest.Config::class)
class OnLinkDiscoveryLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(prefix = "kpa", hosts = 6, net4 = "10.231.0", net6 = "fd10:231::", anyIpPrefix = null).withSystemOverrides()
    }

    private fun ping(vararg targets: String, block: dev.kmap.dsl.ScanBuilder.() -> Unit = {}): Pair<Map<String, HostResult>, Long> = runBlocking {
        val started = System.nanoTime()
        val report = scan(scan { targets(*targets); pingOnly(); timing(T4); dns(DnsResolution.NEVER); block() }, EngineConfig(progressIntervalMillis = 0))
        report.hosts.associateBy { it.host.address.toString() } to (System.nanoTime() - started) / 1_000_000
    }

    @Test
    fun `default discovery finds exactly the present on-link hosts, by ARP and NDP`(lab: Lab) {
        val (v4, ms4) = ping("10.231.0.2-70")
        assertEquals(lab.hosts.map { it.ipv4 }.toSet(), v4.filterValues { it.status == HostStatus.UP }.keys, "IPv4 hosts up")
        assertEquals(69, v4.size)
        assertTrue(lab.hosts.all { v4.getValue(it.ipv4).reason == "arp-response" }, "found by ARP: ${v4.values.map { it.reason }.toSet()}")
        println("default discovery of 69 on-link IPv4 addresses (6 present): $ms4 ms")
        assertTrue(ms4 < 10_000, "took $ms4 ms")

        val (v6, ms6) = ping(*(2..40).map { "fd10:231::$it" }.toTypedArray())
        assertEquals(lab.hosts.map { it.ipv6 }.toSet(), v6.filterValues { it.status == HostStatus.UP }.keys, "IPv6 hosts up")
        assertTrue(lab.hosts.all { v6.getValue(it.ipv6).reason == "nd-response" })
        println("default discovery of 39 on-link IPv6 addresses (6 present): $ms6 ms")

        // --send-ip: the routed default (ICMP echo first) finds the same hosts
        val (ip, _) = ping("10.231.0.2-20") { sendIp() }
        assertEquals(lab.hosts.map { it.ipv4 }.toSet(), ip.filterValues { it.status == HostStatus.UP }.keys)
        assertTrue(lab.hosts.none { ip.getValue(it.ipv4).reason == "arp-response" }, "--send-ip: no ARP")
    }
}
