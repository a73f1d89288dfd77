package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.ScanBuilder
import dev.kmap.dsl.scan
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.LabHost
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import dev.kmap.lab.PortState as LabState

/**
 * Every raw TCP scan type against real Linux TCP stacks in the lab, IPv4 and IPv6, with the
 * states nmap reports for Linux targets. Linux answers FIN/ACK (Maimon) with RST on open ports
 * too, and RSTs carry window 0, so Maimon and Window scans see "closed" where a port answers.
 */
@RequiresLab(config = RawTcpScanLabTest.Config::class)
class RawTcpScanLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmr",
            hosts = 2,
            net4 = "10.212.0",
            net6 = "fd10:212::",
            anyIpPrefix = null,
            hostPorts = mapOf(2 to HostPorts(tcp = setOf(21, 25, 3306), filteredTcp = setOf(3307))),
        ).withSystemOverrides()
    }

    private val config = EngineConfig(progressIntervalMillis = 0)
    private val ports = "20-30,79-81,442-444,3306,3307,8079-8082"
    private val portList = listOf(20..30, 79..81, 442..444, 3306..3307, 8079..8082).flatMap { it.toList() }

    private fun states(host: LabHost, address: String, block: ScanBuilder.() -> Unit): Map<Int, PortState> = runBlocking {
        val report = scan(scan { targets(address); ports(ports); skipDiscovery(); timing(T4); dns(DnsResolution.NEVER); block() }, config)
        val result = report.hosts.single()
        assertEquals(HostStatus.UP, result.status)
        assertEquals(portList, result.ports.map { it.port }, "every port of ${host.name} reported once")
        result.ports.associate { it.port to it.state }
    }

    private fun expect(host: LabHost, open: PortState, closed: PortState, filtered: PortState): Map<Int, PortState> =
        portList.associateWith {
            when (host.tcpState(it)) {
                LabState.OPEN -> open
                LabState.CLOSED -> closed
                else -> filtered
            }
        }

    private fun forEachAddress(lab: Lab, check: (LabHost, String) -> Unit) {
        for (h in lab.hosts) {
            check(h, h.ipv4)
            check(h, h.ipv6)
        }
    }

    @Test
    fun `SYN scan finds exact states`(lab: Lab) = forEachAddress(lab) { h, a ->
        assertEquals(expect(h, PortState.OPEN, PortState.CLOSED, PortState.FILTERED), states(h, a) { syn() }, "-sS $a")
    }

    @Test
    fun `FIN, NULL and Xmas scans`(lab: Lab) = forEachAddress(lab) { h, a ->
        val want = expect(h, PortState.OPEN_FILTERED, PortState.CLOSED, PortState.OPEN_FILTERED)
        assertEquals(want, states(h, a) { fin() }, "-sF $a")
        assertEquals(want, states(h, a) { nullScan() }, "-sN $a")
        assertEquals(want, states(h, a) { xmas() }, "-sX $a")
    }

    @Test
    fun `ACK scan tells unfiltered from filtered`(lab: Lab) = forEachAddress(lab) { h, a ->
        assertEquals(expect(h, PortState.UNFILTERED, PortState.UNFILTERED, PortState.FILTERED), states(h, a) { ack() }, "-sA $a")
    }

    @Test
    fun `Window and Maimon scans on Linux targets`(lab: Lab) = forEachAddress(lab) { h, a ->
        assertEquals(expect(h, PortState.CLOSED, PortState.CLOSED, PortState.FILTERED), states(h, a) { window() }, "-sW $a")
        assertEquals(expect(h, PortState.CLOSED, PortState.CLOSED, PortState.OPEN_FILTERED), states(h, a) { maimon() }, "-sM $a")
    }

    @Test
    fun `SYN ping finds hosts up and the default scan is SYN`(lab: Lab) = runBlocking {
        val report = scan(
            scan { targets(lab.host(1).ipv4, lab.host(2).ipv6, "10.212.0.99"); ports("22,3306"); discovery { tcpSyn(80, 3306) }; timing(T4); dns(DnsResolution.NEVER) },
            config,
        )
        val byAddress = report.hosts.associateBy { it.host.address.toString() }
        assertEquals(HostStatus.UP, byAddress.getValue(lab.host(1).ipv4).status)
        assertEquals("syn-ack", byAddress.getValue(lab.host(1).ipv4).reason)
        assertEquals(HostStatus.UP, byAddress.getValue(lab.host(2).ipv6).status)
        assertEquals(HostStatus.DOWN, byAddress.getValue("10.212.0.99").status)
        // no scan type given: SYN, whose closed ports say "reset" (the connect scan says conn-refused)
        assertEquals("reset", byAddress.getValue(lab.host(1).ipv4).ports.single { it.port == 3306 }.reason)
    }

    @Test
    fun `ICMP echo, timestamp, ARP and NDP discovery, and nmap's raw default`(lab: Lab) {
        fun ping(vararg targets: String, block: ScanBuilder.() -> Unit) = runBlocking {
            scan(scan { targets(*targets); pingOnly(); timing(T4); dns(DnsResolution.NEVER); block() }, config).hosts.associateBy { it.host.address.toString() }
        }
        val echo = ping(lab.host(1).ipv4, lab.host(2).ipv6, "10.212.0.99") { discovery { icmpEcho() } }
        assertEquals("echo-reply", echo.getValue(lab.host(1).ipv4).reason)
        assertEquals(HostStatus.UP, echo.getValue(lab.host(2).ipv6).status)
        assertEquals(HostStatus.DOWN, echo.getValue("10.212.0.99").status)
        val stamp = ping(lab.host(1).ipv4) { discovery { icmpTimestamp() } }
        assertEquals("timestamp-reply", stamp.getValue(lab.host(1).ipv4).reason)
        val arp = ping("10.212.0.97", lab.host(1).ipv4, lab.host(2).ipv6) { discovery { arp() } }
        assertEquals(HostStatus.DOWN, arp.getValue("10.212.0.97").status, "an absent first host does not spoil the link")
        assertEquals("arp-response", arp.getValue(lab.host(1).ipv4).reason)
        assertEquals("nd-response", arp.getValue(lab.host(2).ipv6).reason)
        val syn = runBlocking { scan(scan { targets("10.212.0.96", lab.host(1).ipv4); ports("22"); syn(); skipDiscovery(); timing(T4); dns(DnsResolution.NEVER) }, config) }
        assertEquals(PortState.OPEN, syn.hosts.single { it.host.address.toString() == lab.host(1).ipv4 }.ports.single().state)
        val default = ping(lab.host(1).ipv4, lab.host(2).ipv4, "10.212.0.98") {}
        assertEquals(listOf(HostStatus.UP, HostStatus.UP, HostStatus.DOWN), listOf(lab.host(1).ipv4, lab.host(2).ipv4, "10.212.0.98").map { default.getValue(it).status })
    }

    /**
     * ICMP unreachables: the target rejects two ports with host-unreachable and
     * admin-prohibited (an nftables table added for this test only, outside the other tests'
     * ports); SYN and connect scans both report them filtered with nmap's reasons.
     */
    @Test
    fun `ICMP unreachable replies are filtered with their reason`(lab: Lab) = runBlocking {
        val h = lab.host(1)
        fun nft(vararg args: String) = command("ip", "netns", "exec", h.name, "nft", *args)
        nft("add table inet kmap_unreach")
        try {
            nft("add chain inet kmap_unreach in { type filter hook input priority 0; }")
            nft("add rule inet kmap_unreach in tcp dport 7001 reject with icmpx type host-unreachable")
            nft("add rule inet kmap_unreach in tcp dport 7002 reject with icmpx type admin-prohibited")
            for (address in listOf(h.ipv4, h.ipv6)) {
                suspend fun reasons(block: ScanBuilder.() -> Unit) = scan(
                    scan { targets(address); ports("7000-7002"); skipDiscovery(); timing(T4) { maxRetries = 1 }; dns(DnsResolution.NEVER); block() }, config,
                ).hosts.single().ports.associate { it.port to "${it.state}/${it.reason}" }
                assertEquals(
                    mapOf(7000 to "CLOSED/reset", 7001 to "FILTERED/host-unreach", 7002 to "FILTERED/admin-prohibited"),
                    reasons { syn() }, "-sS $address",
                )
                // Linux aborts an IPv4 connect on either error (EHOSTUNREACH); an IPv6 connect
                // treats both as soft errors and retries its SYN until the timeout
                val unreachable = if (address == h.ipv4) "FILTERED/host-unreach" else "FILTERED/no-response"
                assertEquals(
                    mapOf(7000 to "CLOSED/conn-refused", 7001 to unreachable, 7002 to unreachable),
                    reasons { connect() }, "-sT $address",
                )
            }
        } finally {
            nft("delete table inet kmap_unreach")
        }
    }

    @Test
    fun `a SYN scan of every port through a link that goes down for a while is exact`(lab: Lab) = runBlocking {
        // a second into the scan (20000 ports a second: 3.3 s in all) the target's link goes down
        // for 1.5 s (a flapping link, a switch port that resets): both attempts of thousands of
        // ports fall into it, and they are not filtered; the scan waits for the path, then goes on
        val h = lab.host(1)
        val link = "${lab.prefix}-h1"
        val wentDown = java.util.concurrent.atomic.AtomicLong()
        val outage = kotlin.concurrent.thread(name = "outage") {
            Thread.sleep(1_000)
            command("ip", "link", "set", link, "down")
            wentDown.set(System.nanoTime())
            try { Thread.sleep(1_500) } finally { command("ip", "link", "set", link, "up") }
        }
        val result = try {
            scan(scan { targets(h.ipv4); ports("1-65535"); syn(); skipDiscovery(); timing(T4) { maxRate = 20_000 }; dns(DnsResolution.NEVER) }, config).hosts.single()
        } finally {
            outage.join(10_000)
            command("ip", "link", "set", link, "up")
        }
        val ended = System.nanoTime()
        assertTrue(wentDown.get() != 0L && wentDown.get() < ended, "the link went down while the scan ran")
        val expected = (1..65535).associateWith { when (h.tcpState(it)) { LabState.OPEN -> PortState.OPEN; LabState.CLOSED -> PortState.CLOSED; else -> PortState.FILTERED } }
        val got = result.ports.associate { it.port to it.state }
        assertEquals(65535, got.size)
        assertEquals(emptyMap(), expected.filter { (port, state) -> got[port] != state }.mapValues { got[it.key] }, "ports misjudged")
    }

    @Test
    fun `SYN scan of loopback through a raw IP socket`() = runBlocking {
        ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { server ->
            val free = ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { it.localPort }
            val report = scan(scan { targets("127.0.0.1"); ports("${server.localPort},$free"); syn(); skipDiscovery(); dns(DnsResolution.NEVER) }, config)
            assertEquals(
                mapOf(server.localPort to PortState.OPEN, free to PortState.CLOSED).toSortedMap(),
                report.hosts.single().ports.associate { it.port to it.state }.toSortedMap(),
            )
        }
    }
}
