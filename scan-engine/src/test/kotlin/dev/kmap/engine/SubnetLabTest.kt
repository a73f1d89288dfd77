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
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds

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
        fun ip(vararg args: String) = command("ip", "-n", host.name, *args)
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

    /** Runs [args] in [ns]; fails with its output when it fails. */
    private fun inNs(ns: String, vararg args: String) = command("ip", "netns", "exec", ns, *args)

    /** Host 1 (its address and 20 more) ignores ARP requests from now on ([on]), or answers them again. */
    private fun arpIgnore(lab: Lab, on: Boolean) = inNs(lab.hosts.first().name, "sysctl", "-qw", "net.ipv4.conf.eth0.arp_ignore=${if (on) 8 else 0}")

    private fun hostOne(lab: Lab): Set<String> = lab.hosts.first().let { (listOf(it.ipv4) + it.extraIpv4).toSet() }

    /** Events of a SYN scan of the /24 (ports 22, 80, 443, 8080 unless [ports]); [onEvent] sees each as it comes. */
    private fun events(lab: Lab, ports: String = "22,80,443,8080", onEvent: (ScanEvent) -> Unit = {}, timing: dev.kmap.dsl.TimingBuilder.() -> Unit): List<ScanEvent> = runBlocking {
        val plan = scan { targets { add("${lab.config.net4}.0/24"); exclude(lab.scannerIpv4) }; timing(T4, timing); dns(DnsResolution.NEVER); syn(); ports(ports) }
        val all = ArrayList<ScanEvent>()
        scanFlow(plan, config).collect { onEvent(it); all += it }
        all
    }

    private fun finished(events: List<ScanEvent>) = events.filterIsInstance<ScanEvent.HostFinished>().map { it.result }

    /** Every live address up with exactly 22, 80, 443 open ([closed] closed), every other one down without ports. */
    private fun assertExact(lab: Lab, events: List<ScanEvent>, liveSet: Set<String>, closed: Set<Int> = setOf(8080)) {
        val hosts = finished(events)
        assertEquals(255, hosts.size, "every address reported once")
        assertEquals(255, hosts.map { it.host.address }.toSet().size, "no address twice")
        for (h in hosts) {
            val a = h.host.address.toString()
            if (a in liveSet) {
                assertEquals(HostStatus.UP, h.status, a)
                assertEquals(setOf(22, 80, 443).associateWith { PortState.OPEN } + closed.associateWith { PortState.CLOSED }, h.ports.associate { it.port to it.state }, a)
            } else {
                assertEquals(HostStatus.DOWN, h.status, a)
                assertTrue(h.ports.isEmpty(), "$a is down and has no ports")
            }
        }
        val portsOf = events.filterIsInstance<ScanEvent.PortFound>().map { it.host.address.toString() }.toSet()
        assertTrue(portsOf.all { it in liveSet }, "port results only for live hosts: ${portsOf - liveSet}")
        assertEquals(liveSet.size, events.count { it is ScanEvent.HostStarted }, "each live host started once")
        assertTrue(events.last() is ScanEvent.Finished)
    }

    @Test
    fun `a host whose neighbour reply comes late but within the wait is up, with exact ports, and scanned before the absent ones are given up`(lab: Lab) {
        val late = hostOne(lab)
        arpIgnore(lab, true)
        val back = AtomicBoolean(false)
        try {
            // the first wait is 900 ms: host 1 answers ARP again after ~300 ms, so it answers the retransmission
            val events = events(lab, onEvent = { e ->
                if (e is ScanEvent.Started) Thread({ Thread.sleep(300); arpIgnore(lab, false); back.set(true) }, "arp-back").start()
            }) { minRttTimeout = 900.milliseconds; initialRttTimeout = 900.milliseconds; maxRttTimeout = 900.milliseconds }
            assertTrue(back.get(), "host 1 answered again during the scan")
            assertExact(lab, events, live(lab).toSet())
            val lateUp = finished(events).filter { it.host.address.toString() in late }
            assertTrue(lateUp.all { it.reason == "arp-response" }, "found by ARP")
            val firstDown = events.indexOfFirst { it is ScanEvent.HostFinished && it.result.status == HostStatus.DOWN }
            val lastLate = events.indexOfLast { it is ScanEvent.HostFinished && it.result.host.address.toString() in late }
            assertTrue(lastLate in 0 until firstDown, "the late hosts (done at event $lastLate) are scanned while discovery still waits for the absent ones (first down at $firstDown)")
        } finally {
            arpIgnore(lab, false)
        }
    }

    @Test
    fun `a neighbour reply after the wait is over leaves its host down, without ports, and the scan exact`(lab: Lab) {
        val late = hostOne(lab)
        arpIgnore(lab, true)
        val announced = AtomicBoolean(false)
        val announcedBeforeEnd = AtomicBoolean(false)
        var announcer: Thread? = null
        val failure = java.util.concurrent.atomic.AtomicReference<Throwable>()
        val ns = lab.hosts.first().name
        try {
            // one 200 ms wait, no retransmission; when the first host is given up, host 1 announces every address of its own
            // accord (ARP replies nobody waits for any more), while the port scan of host 2's addresses still runs
            val events = events(lab, ports = "22,80,443,8080,1000-3000", onEvent = { e ->
                if (e is ScanEvent.HostFinished && e.result.status == HostStatus.DOWN && announcer == null) {
                    announcer = Thread({
                        try {
                            arpIgnore(lab, false)
                            inNs(ns, "/usr/bin/python3", "-c", ARP_REPLIES, "eth0", lab.scannerIpv4, *late.toTypedArray())
                            announced.set(true)
                        } catch (t: Throwable) { failure.set(t) }
                    }, "arp-late").apply { start() }
                }
                if (e is ScanEvent.Finished) announcedBeforeEnd.set(announced.get())
            }) { maxRetries = 0; minRttTimeout = 200.milliseconds; initialRttTimeout = 200.milliseconds; maxRttTimeout = 200.milliseconds }
            announcer?.join(10_000)
            failure.get()?.let { throw it }
            assertTrue(announced.get(), "host 1 announced its addresses")
            assertTrue(announcedBeforeEnd.get(), "the late announcements came while the scan still ran")
            assertExact(lab, events, live(lab).toSet() - late, closed = setOf(8080) + (1000..3000))
        } finally {
            arpIgnore(lab, false)
        }
    }

    @Test
    fun `a default scan of absent addresses only finds nothing, and one of live addresses only finds them all`(lab: Lab) {
        fun run(targets: List<String>) = runBlocking {
            scanFlow(scan { targets(*targets.toTypedArray()); timing(T4); dns(DnsResolution.NEVER); syn(); ports("22,80,443,8080") }, config).toList()
        }
        val absent = run((100..119).map { "${lab.config.net4}.$it" })
        assertEquals(20, finished(absent).size)
        assertTrue(finished(absent).all { it.status == HostStatus.DOWN && it.ports.isEmpty() })
        assertTrue(absent.none { it is ScanEvent.PortFound || it is ScanEvent.HostStarted })
        val liveOnes = live(lab)
        val all = run(liveOnes)
        assertEquals(liveOnes.toSet(), finished(all).filter { it.status == HostStatus.UP }.map { it.host.address.toString() }.toSet())
        for (h in finished(all)) {
            assertEquals(mapOf(22 to PortState.OPEN, 80 to PortState.OPEN, 443 to PortState.OPEN, 8080 to PortState.CLOSED), h.ports.associate { it.port to it.state }, h.host.address.toString())
        }
    }

    private companion object {
        /** python3 -c ARP_REPLIES IFACE TARGET_IP ADDRESS...: one unsolicited ARP reply per ADDRESS (this interface's MAC) to TARGET_IP, broadcast. */
        const val ARP_REPLIES = """
import socket, sys
iface, target, addresses = sys.argv[1], sys.argv[2], sys.argv[3:]
mac = bytes.fromhex(open('/sys/class/net/%s/address' % iface).read().strip().replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for a in addresses:
    arp = bytes.fromhex('0001080006040002') + mac + socket.inet_aton(a) + b'\xff' * 6 + socket.inet_aton(target)
    s.send(b'\xff' * 6 + mac + b'\x08\x06' + arp)
"""
    }
}
