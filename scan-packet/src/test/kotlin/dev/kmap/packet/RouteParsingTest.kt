package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.InterfaceAddress
import dev.kmap.packet.internal.InterfaceInfo
import dev.kmap.packet.internal.Interfaces
import java.nio.ByteOrder
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull

/** Route and neighbour lookups from recorded /proc and `ip` output (the lab tests check the live machine). */
class RouteParsingTest {
    private fun ip(s: String) = IpAddress.parse(s)

    private val route4 = """
        Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
        eth0	00000000	010200C0	0003	0	0	0	00000000	0	0	0
        eth0	000200C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
        kmp-br0	0000D00A	00000000	0001	0	0	0	00FFFFFF	0	0	0
        kmp-br0	0000D10A	0B00D00A	0003	0	0	0	0000FFFF	0	0	0
        eth0	0000D10A	010200C0	0003	0	0	100	0000FFFF	0	0	0
        *	0000000B	00000000	0201	0	0	0	000000FF	0	0	0
        *	0000000C	00000000	0001	0	0	0	000000FF	0	0	0
        eth0	0300D00A	00000000	0000	0	0	0	FFFFFFFF	0	0	0
        eth0	0000D20A	010200C0	0003	0	0	5	0000FFFF	0	0	0
        kmp-br0	0000D20A	0B00D00A	0003	0	0	5	0000FFFF	0	0	0
    """.trimIndent()

    private val route6 = """
        fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
        fd100208000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001  kmp-br0
        fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
        fd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000004 00000000 80200001     eth0
        20010db8000000000000000000000000 20 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000001 00000000 00200200       lo
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
    """.trimIndent()

    private val ifInet6 = """
        fd000000000000000000000000000002 04 40 00 82     eth0
        fe8000000000000000fc00fffe000001 04 40 20 80     eth0
        fd100208000000000000000000000001 05 40 00 80  kmp-br0
        fd100208000000000000000000000099 05 40 00 c0  kmp-br0
        fe80000000000000006b6dfffe000101 05 40 20 80  kmp-br0
        00000000000000000000000000000001 01 80 10 80       lo
    """.trimIndent()

    private val brMac = MacAddress.parse("02:6b:6d:00:01:01")
    private val ethMac = MacAddress.parse("02:fc:00:00:00:01")

    private val table: ProcRouteTable by lazy {
        val v6 = Interfaces.parseIfInet6(ifInet6)
        val ifaces = listOf(
            InterfaceInfo("lo", true, null, listOf(InterfaceAddress(ip("127.0.0.1"), 8)) + v6.getValue("lo")),
            InterfaceInfo("eth0", false, ethMac, listOf(InterfaceAddress(ip("192.0.2.2"), 24)) + v6.getValue("eth0")),
            InterfaceInfo("kmp-br0", false, brMac, listOf(InterfaceAddress(ip("10.208.0.1"), 24)) + v6.getValue("kmp-br0")),
        )
        ProcRouteTable(ProcRouteTable.parseRoute4(route4, ByteOrder.LITTLE_ENDIAN), ProcRouteTable.parseRoute6(route6), ifaces)
    }

    @Test
    fun `IPv4 lookups pick the longest prefix, then the lowest metric, and the interface's address`() {
        assertEquals(Route(ip("10.208.0.11"), "kmp-br0", ip("10.208.0.1"), null, false, brMac), table.route(ip("10.208.0.11")))
        assertEquals(Route(ip("10.209.3.4"), "kmp-br0", ip("10.208.0.1"), ip("10.208.0.11"), false, brMac), table.route(ip("10.209.3.4")))
        assertEquals(Route(ip("8.8.8.8"), "eth0", ip("192.0.2.2"), ip("192.0.2.1"), false, ethMac), table.route(ip("8.8.8.8")))
        assertNull(table.route(ip("11.0.0.9")), "an unreachable route")
        assertNull(table.route(ip("12.0.0.9")), "a blackhole route")
        assertEquals("kmp-br0", table.route(ip("10.208.0.3"))?.interfaceName, "a route that is not up is skipped")
        assertEquals("eth0", table.route(ip("10.210.0.3"))?.interfaceName, "equal prefix and metric: the first in the table")
    }

    @Test
    fun `local destinations go over loopback`() {
        assertEquals(Route(ip("127.0.0.5"), "lo", ip("127.0.0.1"), null, true, null), table.route(ip("127.0.0.5")))
        assertEquals(Route(ip("10.208.0.1"), "lo", ip("10.208.0.1"), null, true, null), table.route(ip("10.208.0.1")))
        assertEquals(Route(ip("::1"), "lo", ip("::1"), null, true, null), table.route(ip("::1")))
        assertEquals(Route(ip("fd00::2"), "lo", ip("fd00::2"), null, true, null), table.route(ip("fd00::2")))
    }

    @Test
    fun `IPv6 lookups skip local and tentative entries and pick a source of the right scope`() {
        assertEquals(Route(ip("fd10:208::11"), "kmp-br0", ip("fd10:208::1"), null, false, brMac), table.route(ip("fd10:208::11")))
        assertEquals(Route(ip("2001:4860::8888"), "eth0", ip("fd00::2"), ip("fd00::1"), false, ethMac), table.route(ip("2001:4860::8888")))
        assertEquals(ip("fe80::fc:ff:fe00:1"), table.route(ip("fe80::1"))!!.source, "link-local destinations get a link-local source")
        assertNull(table.route(ip("2001:db8::1")), "a reject route is unreachable")
    }

    @Test
    fun `ip route get output`() {
        val mac = { name: String -> if (name == "kmp-br0") brMac else null }
        assertEquals(Route(ip("10.208.0.11"), "kmp-br0", ip("10.208.0.1"), null, false, brMac),
            IpRouteCommand.parse(ip("10.208.0.11"), "10.208.0.11 dev kmp-br0 src 10.208.0.1 uid 0 \\    cache \n", mac))
        assertEquals(Route(ip("8.8.8.8"), "eth0", ip("192.0.2.2"), ip("192.0.2.1"), false, null),
            IpRouteCommand.parse(ip("8.8.8.8"), "8.8.8.8 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0 \\    cache ", mac))
        assertEquals(Route(ip("127.0.0.1"), "lo", ip("127.0.0.1"), null, true, null),
            IpRouteCommand.parse(ip("127.0.0.1"), "local 127.0.0.1 dev lo src 127.0.0.1 uid 0 \\    cache <local> ", mac))
        assertEquals(Route(ip("2001:db8::1"), "eth0", ip("fd00::2"), ip("fd00::1"), false, null),
            IpRouteCommand.parse(ip("2001:db8::1"), "2001:db8::1 from :: via fd00::1 dev eth0 src fd00::2 metric 1024 pref medium", mac))
        assertEquals(Route(ip("::1"), "lo", ip("::1"), null, true, null),
            IpRouteCommand.parse(ip("::1"), "local ::1 from :: dev lo table local proto kernel src ::1 metric 0 pref medium", mac))
        assertNull(IpRouteCommand.parse(ip("10.1.1.1"), "unreachable 10.1.1.1 uid 0 \\    cache <> ", mac))
        assertNull(IpRouteCommand.parse(ip("10.1.1.1"), "", mac))
    }

    @Test
    fun `neighbour tables`() {
        val arp = """
            IP address       HW type     Flags       HW address            Mask     Device
            192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0
            10.208.0.11      0x1         0x2         02:6b:6d:00:02:01     *        kmp-br0
            10.208.0.12      0x1         0x0         00:00:00:00:00:00     *        kmp-br0
        """.trimIndent()
        assertEquals(MacAddress.parse("02:6b:6d:00:02:01"), NeighbourResolver.parseProcArp(arp, ip("10.208.0.11"), "kmp-br0"))
        assertNull(NeighbourResolver.parseProcArp(arp, ip("10.208.0.11"), "eth0"), "other interface")
        assertNull(NeighbourResolver.parseProcArp(arp, ip("10.208.0.12"), "kmp-br0"), "incomplete")
        assertEquals(MacAddress.parse("02:6b:6d:00:02:01"), NeighbourResolver.parseIpNeigh("fd10:208::11 lladdr 02:6b:6d:00:02:01 REACHABLE\n", ip("fd10:208::11")))
        assertEquals(MacAddress.parse("02:6b:6d:00:02:01"), NeighbourResolver.parseIpNeigh("fd10:208::11 lladdr 02:6b:6d:00:02:01 router STALE", ip("fd10:208::11")))
        assertNull(NeighbourResolver.parseIpNeigh("fd10:208::11 FAILED\n", ip("fd10:208::11")))
        assertNull(NeighbourResolver.parseIpNeigh("fd00::1 INCOMPLETE", ip("fd00::1")))
    }

    @Test
    fun `MAC addresses parse and print`() {
        assertEquals("02:6b:6d:00:02:01", MacAddress.parse("02-6B-6D-00-02-01").toString())
        assertNull(MacAddress.parseOrNull("02:6b:6d:00:02"))
        assertNull(MacAddress.parseOrNull("02:6b:6d:00:02:1g"))
        assertEquals(true, MacAddress.BROADCAST.isMulticast)
        assertEquals(false, brMac.isMulticast)
    }

    @Test
    fun `capture filters`() {
        assertEquals("(tcp and dst host 10.208.0.1 and dst portrange 40000-40999) or (icmp and dst host 10.208.0.1)", CaptureFilter.tcpReplies(ip("10.208.0.1"), 40000..40999))
        assertEquals("(udp and dst host fd10:208::1 and dst port 5) or (icmp6 and dst host fd10:208::1 and (ip6[40] < 133 or ip6[40] > 137))", CaptureFilter.udpReplies(ip("fd10:208::1"), 5..5))
        assertEquals("arp and arp[6:2] == 2", CaptureFilter.neighbourReplies(ip("10.0.0.1")))
    }
}
