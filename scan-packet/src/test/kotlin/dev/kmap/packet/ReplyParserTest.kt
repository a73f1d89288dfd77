package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The parser reads each field of each packet kind from known frames. */
class ReplyParserTest {
    private val us4 = IpAddress.parse("10.208.0.1")
    private val them4 = IpAddress.parse("10.208.0.11")
    private val us6 = IpAddress.parse("fd10:208::1")
    private val them6 = IpAddress.parse("fd10:208::11")
    private val ourMac = MacAddress.parse("02:6b:6d:00:01:01")
    private val theirMac = MacAddress.parse("02:6b:6d:00:02:01")
    private val eth = EthernetAddresses(theirMac, ourMac)

    private fun frame(write: (ByteArray) -> Int): ByteArray = ByteArray(200).let { it.copyOf(write(it)) }

    @Test
    fun `a SYN-ACK over Ethernet, IPv4 and IPv6`() {
        for ((them, us) in listOf(them4 to us4, them6 to us6)) {
            val f = frame { TcpProbeTemplate(them, eth, TcpFlags.SYN or TcpFlags.ACK, window = 64240, ttl = 63).write(it, 0, us, 443, 40001, -5, 0x7fff_0001) }
            val r = assertIs<ParsedReply.Tcp>(ReplyParser.parse(f, 0, f.size, LinkType.ETHERNET))
            assertEquals(ParsedReply.Tcp(them, us, 443, 40001, -5, 0x7fff_0001, 0x12, 64240, 63, 0), r)
            assertEquals("SA", TcpFlags.toString(r.flags))
        }
    }

    @Test
    fun `Ethernet padding is trimmed by the IP length, and a frame cut short still reads its headers`() {
        val f = frame { TcpProbeTemplate(them4, eth, TcpFlags.RST or TcpFlags.ACK, window = 0, options = ByteArray(0)).write(it, 0, us4, 80, 40000, 0, 1) }
        assertEquals(54, f.size)
        val padded = f + ByteArray(6) { 0x55 }
        assertEquals(0, assertIs<ParsedReply.Tcp>(ReplyParser.parse(padded, 0, padded.size, LinkType.ETHERNET)).payloadLength)
        assertIs<ParsedReply.Unparsable>(ReplyParser.parse(f, 0, f.size - 1, LinkType.ETHERNET))
    }

    @Test
    fun `UDP, ICMP echo and timestamp replies`() {
        val u = frame { UdpProbeTemplate(them6, null, "abc".toByteArray()).write(it, 0, us6, 53, 40002) }
        assertEquals(ParsedReply.Udp(them6, us6, 53, 40002, 64, 3), ReplyParser.parseIp(u, 0, u.size))
        val e = frame { IcmpEchoTemplate(them4, eth).write(it, 0, us4, 0x1234, 0x5678) }
        e[14 + 20] = 0 // echo reply
        val echo = assertIs<ParsedReply.Icmp>(ReplyParser.parse(e, 0, e.size, LinkType.ETHERNET))
        assertEquals(0x1234, echo.identifier); assertEquals(0x5678, echo.sequence); assertTrue(echo.isReply)
        val t = frame { IcmpTimestampTemplate(them4, null).write(it, 0, us4, 9, 10) }
        t[20] = 14
        assertTrue(assertIs<ParsedReply.Icmp>(ReplyParser.parseIp(t, 0, t.size)).isReply)
        val e6 = frame { IcmpEchoTemplate(them6, null).write(it, 0, us6, 1, 2) }
        assertEquals(false, assertIs<ParsedReply.Icmp>(ReplyParser.parseIp(e6, 0, e6.size)).isReply)
    }

    @Test
    fun `a port unreachable quotes the UDP probe it answers, v4 and v6`() {
        for ((them, us) in listOf(them4 to us4, them6 to us6)) {
            val probe = frame { UdpProbeTemplate(us, null).write(it, 0, them, 41000, 161) }
            val f = Frames.icmpError(them, us, if (them.isV6) 1 else 3, if (them.isV6) 4 else 3, probe)
            val r = assertIs<ParsedReply.IcmpError>(ReplyParser.parseIp(f, 0, f.size))
            assertTrue(r.isPortUnreachable)
            assertEquals(QuotedPacket(17, us, them, 41000, 161, 0, 0, 0, 0), r.quoted)
        }
    }

    @Test
    fun `an ICMP error quoting a TCP or ICMP probe, and one quoting too little`() {
        val syn = frame { TcpProbeTemplate(us4, null, TcpFlags.SYN).write(it, 0, them4, 40000, 22, 0x01020304) }
        val r = assertIs<ParsedReply.IcmpError>(ReplyParser.parseIp(Frames.icmpError(them4, us4, 3, 13, syn), 0, 20 + 8 + syn.size))
        assertEquals(0x01020304, r.quoted!!.tcpSequence)
        assertEquals(22, r.quoted!!.destinationPort)
        assertTrue(r.isUnreachable && !r.isPortUnreachable)
        val ping = frame { IcmpEchoTemplate(us6, null).write(it, 0, them6, 0xabcd, 0x0102) }
        val q = assertIs<ParsedReply.IcmpError>(ReplyParser.parseIp(Frames.icmpError(them6, us6, 3, 0, ping), 0, 40 + 8 + ping.size)).quoted!!
        assertEquals(Triple(128, 0xabcd, 0x0102), Triple(q.icmpType, q.icmpIdentifier, q.icmpSequence))
        val short = Frames.icmpError(them4, us4, 3, 3, syn.copyOf(24)) // IP header + 4 bytes: no ports and sequence
        assertNull(assertIs<ParsedReply.IcmpError>(ReplyParser.parseIp(short, 0, short.size)).quoted)
    }

    @Test
    fun `ARP replies and neighbour advertisements give the MAC`() {
        val a = Frames.arpReply(theirMac, them4, ourMac, us4)
        assertEquals(ParsedReply.Arp(true, theirMac, them4, ourMac, us4), ReplyParser.parse(a, 0, a.size, LinkType.ETHERNET))
        val n = Frames.neighbourAdvert(them6, us6, them6, theirMac)
        val na = assertIs<ParsedReply.Ndp>(ReplyParser.parse(n, 0, n.size, LinkType.ETHERNET))
        assertEquals(ParsedReply.Ndp(them6, us6, true, them6, theirMac, router = false, solicited = true, override = true), na)
        val bare = Frames.neighbourAdvert(them6, us6, them6, null)
        assertNull(assertIs<ParsedReply.Ndp>(ReplyParser.parse(bare, 0, bare.size, LinkType.ETHERNET)).linkAddress)
        val ns = frame { NeighbourSolicitationTemplate(ourMac, us6).write(it, 0, them6) }
        val sol = assertIs<ParsedReply.Ndp>(ReplyParser.parse(ns, 0, ns.size, LinkType.ETHERNET))
        assertEquals(false, sol.isAdvertisement); assertEquals(them6, sol.target); assertEquals(ourMac, sol.linkAddress)
        val arpReq = frame { ArpRequestTemplate(ourMac, us4).write(it, 0, them4) }
        assertEquals(ParsedReply.Arp(false, ourMac, us4, MacAddress.ZERO, them4), ReplyParser.parse(arpReq, 0, arpReq.size, LinkType.ETHERNET))
    }

    @Test
    fun `other framings, VLAN tags, fragments and foreign protocols`() {
        val ip = frame { TcpProbeTemplate(them4, null, TcpFlags.RST).write(it, 0, us4, 1, 2, 3) }
        val expected = ReplyParser.parseIp(ip, 0, ip.size)
        assertIs<ParsedReply.Tcp>(expected)
        val vlan = ByteArray(12) + byteArrayOf(0x81.toByte(), 0, 0, 7, 0x88.toByte(), 0xa8.toByte(), 0, 8, 8, 0) + ip
        assertEquals(expected, ReplyParser.parse(vlan, 0, vlan.size, LinkType.ETHERNET))
        assertEquals(expected, ReplyParser.parse(ByteArray(14) + byteArrayOf(8, 0) + ip, 0, 16 + ip.size, LinkType.LINUX_SLL))
        assertEquals(expected, ReplyParser.parse(byteArrayOf(2, 0, 0, 0) + ip, 0, 4 + ip.size, LinkType.NULL))
        assertEquals(expected, ReplyParser.parse(byteArrayOf(0, 0, 0, 2) + ip, 0, 4 + ip.size, LinkType.NULL))
        val frag = ip.copyOf().also { it[6] = 0; it[7] = 10 }
        assertIs<ParsedReply.Other>(ReplyParser.parseIp(frag, 0, frag.size))
        val gre = ip.copyOf().also { it[9] = 47 }
        assertEquals(ParsedReply.Other("IPv4 protocol 47"), ReplyParser.parseIp(gre, 0, gre.size))
        assertIs<ParsedReply.Other>(ReplyParser.parse(Frames.ethernet(0x88cc, ByteArray(40)), 0, 54, LinkType.ETHERNET))
        assertIs<ParsedReply.Unparsable>(ReplyParser.parseIp(byteArrayOf(0x75), 0, 1))
    }

    @Test
    fun `printed forms are one line`() {
        val f = frame { TcpProbeTemplate(us6, null, TcpFlags.XMAS_SCAN).write(it, 0, them6, 40000, 80, -1) }
        val s = ReplyParser.parseIp(f, 0, f.size).toString()
        assertEquals("TCP fd10:208::1:40000 > fd10:208::11:80 [FPU] seq=4294967295 ack=0 win=1024 ttl=64 len=0", s)
    }
}
