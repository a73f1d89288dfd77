package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.ScanBuilder
import dev.kmap.dsl.scan
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * An ordinary subnet: a /24 where 40 addresses are live (two lab hosts, each answering on many
 * addresses) and the other 213 are on-link and silent. Every discovery method gives exactly the
 * live list, and absent addresses cost one shared neighbour wait, not seconds each.
 */
@RequiresLab(config = SubnetLabTest.Config::class)
class SubnetLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kna",
            hosts = 2,
            net4 = "10.240.0",
            net6 = "fd10:240::",
            anyIpPrefix = null,
            ports = HostPorts(tcp = setOf(22, 80, 443), udp = emptySet(), filteredTcp = emptySet(), filteredUdp = emptySet()),
            extraAddresses = mapOf(1 to (20..39).toSet(), 2 to (200..217).toSet()),
        ).withSystemOverrides()
    }

    private val config = EngineConfig(progressIntervalMillis = 0)

    private fun live(lab: Lab): List<String> = lab.hosts.flatMap { listOf(it.ipv4) + it.extraIpv4 }.sortedBy { it.substringAfterLast('.').toInt() }

    /** Scans the lab's /24 but the scanner's own address; returns (hosts up in address order, the report). */
    private fun up(lab: Lab, block: ScanBuilder.() -> Unit): Pair<List<String>, ScanReport> = runBlocking {
        val report = scan(
            scan { targets { add("${lab.config.net4}.0/24"); exclude(lab.scannerIpv4) }; timing(T4); dns(DnsResolution.NEVER); block() },
            config,
        )
        assertEquals(255, report.hosts.size, "every address reported once")
        report.hosts.filter { it.status == HostStatus.UP }.map { it.host.address.toString() }.sortedBy { it.substringAfterLast('.').toInt() } to report
    }

    private fun timed(what: String, limitMillis: Long, block: () -> Unit) {
        val t0 = System.nanoTime()
        block()
        val ms = (System.nanoTime() - t0) / 1_000_000
        assertTrue(ms < limitMillis, "$what took $ms ms (limit $limitMillis: absent addresses must not cost seconds each)")
    }

    @Test
    fun `ICMP echo discovery finds exactly the live addresses`(lab: Lab) = timed("-sn -PE", 5_000) {
        assertEquals(live(lab), up(lab) { pingOnly(); discovery { icmpEcho() } }.first)
    }

    @Test
    fun `SYN ping discovery finds exactly the live addresses`(lab: Lab) = timed("-sn -PS443", 5_000) {
        assertEquals(live(lab), up(lab) { pingOnly(); discovery { tcpSyn(443) } }.first)
    }

    @Test
    fun `ARP discovery finds exactly the live addresses`(lab: Lab) = timed("-sn -PR", 5_000) {
        assertEquals(live(lab), up(lab) { pingOnly(); discovery { arp() } }.first)
    }

    @Test
    fun `default discovery finds exactly the live addresses, by ARP`(lab: Lab) = timed("-sn", 5_000) {
        val (upList, report) = up(lab) { pingOnly() }
        assertEquals(live(lab), upList)
        assertEquals(setOf("arp-response"), report.hosts.filter { it.status == HostStatus.UP }.map { it.reason }.toSet())
    }

    @Test
    fun `a second run in the same process gives the same lists (remembered neighbours and absences change nothing)`(lab: Lab) {
        repeat(2) { run ->
            timed("-sn, run ${run + 1}", 5_000) { assertEquals(live(lab), up(lab) { pingOnly() }.first, "run ${run + 1}") }
            timed("-sS -Pn, run ${run + 1}", 10_000) {
                val (_, report) = up(lab) { skipDiscovery(); syn(); ports("22,80") }
                val open = report.hosts.filter { h -> h.ports.any { it.state == PortState.OPEN } }.map { it.host.address.toString() }
                assertEquals(live(lab), open.sortedBy { it.substringAfterLast('.').toInt() }, "run ${run + 1}: hosts with open ports")
            }
        }
    }

    @Test
    fun `a SYN scan of the whole subnet without discovery decides absent addresses at once`(lab: Lab) = timed("-Pn -sS", 10_000) {
        val (_, report) = up(lab) { skipDiscovery(); syn(); ports("22,80,443,8080") }
        val liveSet = live(lab).toSet()
        for (h in report.hosts) {
            val a = h.host.address.toString()
            val states = h.ports.associate { it.port to it.state }
            if (a in liveSet) {
                assertEquals(mapOf(22 to PortState.OPEN, 80 to PortState.OPEN, 443 to PortState.OPEN, 8080 to PortState.CLOSED), states, a)
            } else {
                assertEquals(setOf("host-unreach"), h.ports.map { it.reason }.toSet(), "$a is absent: its neighbour never answered")
            }
        }
    }

    @Test
    fun `a default scan of the subnet lists the live hosts and their open ports`(lab: Lab) = timed("-sS top ports", 10_000) {
        val (upList, report) = up(lab) { syn(); ports("1-1024") }
        assertEquals(live(lab), upList)
        for (h in report.hosts.filter { it.status == HostStatus.UP }) {
            assertEquals(listOf(22, 80, 443), h.ports.filter { it.state == PortState.OPEN }.map { it.port }, h.host.address.toString())
        }
    }

    @Test
    fun `the port scan of the hosts found up starts while discovery still waits for the absent addresses`(lab: Lab) = runBlocking {
        val plan = scan { targets { add("${lab.config.net4}.0/24"); exclude(lab.scannerIpv4) }; timing(T4); dns(DnsResolution.NEVER); syn(); ports("22,80,443,8080") }
        val events = scanFlow(plan, config).toList()
        val firstPort = events.indexOfFirst { it is ScanEvent.PortFound }
        val down = events.withIndex().filter { (_, e) -> e is ScanEvent.HostFinished && e.result.status == HostStatus.DOWN }.map { it.index }
        assertTrue(down.size >= 200, "the absent addresses are down (${down.size})")
        assertTrue(firstPort in 0 until down.first(), "ports found (event $firstPort) before discovery gave up on the absent addresses (event ${down.first()})")
        val up = events.filterIsInstance<ScanEvent.HostFinished>().map { it.result }.filter { it.status == HostStatus.UP }
        assertEquals(live(lab), up.map { it.host.address.toString() }.sortedBy { it.substringAfterLast('.').toInt() })
        for (h in up) assertEquals(listOf(22, 80, 443), h.ports.filter { it.state == PortState.OPEN }.map { it.port }, h.host.address.toString())
        assertEquals(up.size, events.count { it is ScanEvent.HostStarted }, "each up host started once")
    }

    @Test
    fun `an address absent in one scan and up before the next is found by the next`(lab: Lab) {
        val late = "${lab.config.net4}.150"
        val host = lab.hosts.first()
        fun ip(vararg args: String) {
            val p = ProcessBuilder("ip", "-n", host.name, *args).redirectErrorStream(true).start()
            val out = p.inputStream.bufferedReader().readText()
            check(p.waitFor() == 0) { "ip -n ${host.name} ${args.joinToString(" ")}: $out" }
        }
        val first = up(lab) { pingOnly() }.first
        assertTrue(late !in first, "$late is not up yet")
        ip("addr", "add", "$late/24", "dev", "eth0")
        try {
            // within the remembered silence of the first scan: the second scan asks again
            assertEquals((live(lab) + late).sortedBy { it.substringAfterLast('.').toInt() }, up(lab) { pingOnly() }.first)
            val (_, report) = up(lab) { skipDiscovery(); syn(); ports("22") }
            assertEquals(PortState.OPEN, report.hosts.single { it.host.address.toString() == late }.ports.single().state)
        } finally {
            ip("addr", "del", "$late/24", "dev", "eth0")
        }
    }
}
