package dev.kmap.engine.stages

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.ScanBuilder
import dev.kmap.dsl.scan
import dev.kmap.engine.DefaultDiscovery
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.VirtualNet
import dev.kmap.engine.VirtualNet.Companion.ARP
import dev.kmap.engine.VirtualNet.Companion.ECHO
import dev.kmap.engine.VirtualNet.Companion.MS
import dev.kmap.engine.scanFlow
import dev.kmap.packet.MacAddress
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Default discovery per host, as nmap's: ARP/NDP alone for on-link targets, ICMP (and the other
 * routed probes) for routed ones; `--send-ip` and explicit probes override; `-PR` to a host it
 * cannot ask says why. On the virtual network with fake routes: 10.1.0.0/24 is on-link, 10.2.0.0/24
 * routed, 127.0.0.0/8 this machine.
 */
class DefaultDiscoveryTest {
    private val routes = RouteResolver { d ->
        val first = (d.low ushr 24).toInt()
        val second = ((d.low ushr 16) and 0xff).toInt()
        when {
            first == 127 -> Route(d, "lo", IpAddress.parse("127.0.0.1"), null, isLocal = true, interfaceMac = null)
            second == 1 -> Route(d, "eth0", IpAddress.parse("10.1.0.1"), null, isLocal = false, interfaceMac = MacAddress.parse("02:00:00:00:00:01"))
            else -> Route(d, "eth0", IpAddress.parse("10.1.0.1"), IpAddress.parse("10.1.0.254"), isLocal = false, interfaceMac = MacAddress.parse("02:00:00:00:00:01"))
        }
    }

    /** Odd last bytes are present; ARP answers for present on-link hosts only, echo for present hosts anywhere. */
    private fun net() = VirtualNet { m, p ->
        val a = IpAddress.ofBytes(p.address.address)
        val present = (a.low and 1L) == 1L
        val onLink = ((a.low ushr 16) and 0xff) == 1L
        when {
            !present -> null
            m == "arp" -> if (onLink) 1 * MS to ARP else null
            else -> 1 * MS to ECHO
        }
    }

    private fun run(net: VirtualNet, block: ScanBuilder.() -> Unit): List<ScanEvent> = runBlocking {
        val modules = listOf(
            net.module("echo", discoveryProbes = setOf(DiscoveryProbe.IcmpEcho::class), defaultDiscovery = DefaultDiscovery(routed = listOf(DiscoveryProbe.IcmpEcho))),
            net.module("arp", discoveryProbes = setOf(DiscoveryProbe.Arp::class), defaultDiscovery = DefaultDiscovery(onLink = listOf(DiscoveryProbe.Arp))),
        )
        val plan = scan { targets("10.1.0.1-40", "10.2.0.1-40"); pingOnly(); dns(DnsResolution.NEVER); timing(T4); block() }
        scanFlow(plan, EngineConfig(modules = modules, clock = net.clock, resolver = VirtualNet.NO_DNS, routes = routes, progressIntervalMillis = 0, stageProviders = emptyList())).toList()
    }

    private fun up(events: List<ScanEvent>) = events.filterIsInstance<ScanEvent.HostFinished>().filter { it.result.status == HostStatus.UP }
        .associate { it.result.host.address.toString() to it.result.reason }

    private val expectedUp = (1..40 step 2).flatMap { listOf("10.1.0.$it", "10.2.0.$it") }.toSet()

    @Test
    fun `on-link hosts are asked by ARP alone, routed ones by the IP probes`() {
        val net = net()
        val up = up(run(net) {})
        assertEquals(expectedUp, up.keys)
        assertTrue(up.filterKeys { it.startsWith("10.1.") }.values.all { it == "arp-response" })
        assertTrue(up.filterKeys { it.startsWith("10.2.") }.values.all { it == "echo-reply" })
        assertTrue(net.sent.none { (m, a, _) -> m == "echo" && a.toString().startsWith("10.1.") }, "no IP probe to an on-link host")
        assertTrue(net.sent.none { (m, a, _) -> m == "arp" && a.toString().startsWith("10.2.") }, "no ARP to a routed host")
    }

    @Test
    fun `send-ip and explicit probes override ARP`() {
        val sendIp = net()
        assertEquals(expectedUp, up(run(sendIp) { sendIp() }).keys)
        assertTrue(sendIp.sent.none { it.first == "arp" })
        val explicit = net()
        val up = up(run(explicit) { discovery { icmpEcho() } })
        assertEquals(expectedUp, up.keys)
        assertTrue(explicit.sent.none { it.first == "arp" })
    }

    @Test
    fun `-PR to a host it cannot ask says why instead of a silent down`() {
        val net = net()
        val events = runBlocking {
            val modules = listOf(net.module("arp", discoveryProbes = setOf(DiscoveryProbe.Arp::class)))
            val plan = scan { targets("127.0.0.1", "10.2.0.1", "10.1.0.1"); pingOnly(); dns(DnsResolution.NEVER); discovery { arp() } }
            scanFlow(plan, EngineConfig(modules = modules, clock = net.clock, resolver = VirtualNet.NO_DNS, routes = routes, progressIntervalMillis = 0, stageProviders = emptyList())).toList()
        }
        val warning = events.filterIsInstance<ScanEvent.Warning>().single().message
        assertEquals(
            "ARP/NDP discovery (-PR) cannot ask 127.0.0.1: it is this machine: loopback has no link layer to ask on (and 1 more such hosts); " +
                "its status is unknown (use -Pn, or an IP probe such as -PE or -PS)",
            warning,
        )
        val byAddress = events.filterIsInstance<ScanEvent.HostFinished>().associate { it.result.host.address.toString() to it.result }
        assertEquals(HostStatus.UNKNOWN, byAddress.getValue("127.0.0.1").status)
        assertEquals("no-ethernet-link", byAddress.getValue("127.0.0.1").reason)
        assertEquals(HostStatus.UNKNOWN, byAddress.getValue("10.2.0.1").status)
        assertEquals(HostStatus.UP, byAddress.getValue("10.1.0.1").status)
        assertEquals(listOf("10.1.0.1"), net.sent.map { it.second.toString() }, "ARP went only where it can")
    }
}
