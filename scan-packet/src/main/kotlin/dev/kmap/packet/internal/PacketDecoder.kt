package dev.kmap.packet.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.LinkType
import dev.kmap.packet.MacAddress
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ParsedReply.Other
import dev.kmap.packet.ParsedReply.Unparsable
import dev.kmap.packet.QuotedPacket

/**
 * The parser behind [dev.kmap.packet.ReplyParser], without its safety net, so the property
 * tests see any exception. Every read is preceded by a length check against `end`.
 */
internal object PacketDecoder {
    private const val ETH_IPV4 = 0x0800
    private const val ETH_ARP = 0x0806
    private const val ETH_IPV6 = 0x86dd
    private const val ETH_VLAN = 0x8100
    private const val ETH_QINQ = 0x88a8
    private const val MAX_EXTENSION_HEADERS = 8

    private val shortEthernet = Unparsable("short Ethernet header")
    private val shortIp4 = Unparsable("short IPv4 header")
    private val shortIp6 = Unparsable("short IPv6 header")
    private val shortTcp = Unparsable("short TCP header")
    private val shortUdp = Unparsable("short UDP header")
    private val shortIcmp = Unparsable("short ICMP header")
    private val shortArp = Unparsable("short ARP packet")
    private val shortNdp = Unparsable("short NDP message")
    private val badVersion = Unparsable("IP version is neither 4 nor 6")
    private val badIhl = Unparsable("IPv4 header length out of range")
    private val badTcpOffset = Unparsable("TCP data offset out of range")
    private val badExtension = Unparsable("IPv6 extension header out of range")
    private val fragment = Other("non-first fragment")
    private val noNextHeader = Other("IPv6 packet without payload")
    private val notIp = Other("neither IP nor ARP")
    private val arpOther = Other("ARP for other hardware or protocol")
    private val icmpOther = Other("ICMP message of another type")

    fun decode(b: ByteArray, offset: Int, length: Int, linkType: LinkType): ParsedReply {
        val end = offset + length
        return when (linkType) {
            LinkType.ETHERNET -> ethernet(b, offset, end)
            LinkType.RAW_IP -> ip(b, offset, end)
            LinkType.LINUX_SLL -> if (length < 16) shortEthernet else byEtherType(b, b.u16(offset + 14), offset + 16, end)
            LinkType.LINUX_SLL2 -> if (length < 20) shortEthernet else byEtherType(b, b.u16(offset), offset + 20, end)
            LinkType.NULL -> {
                if (length < 4) return shortEthernet
                // host byte order: the family is in byte 0 (little-endian) or byte 3 (big-endian)
                val family = if (b[offset].toInt() != 0) b.u8(offset) else b.u8(offset + 3)
                when (family) {
                    2 -> ip4(b, offset + 4, end)
                    10, 24, 28, 30 -> ip6(b, offset + 4, end)
                    else -> notIp
                }
            }
        }
    }

    private fun ethernet(b: ByteArray, offset: Int, end: Int): ParsedReply {
        if (end - offset < 14) return shortEthernet
        var type = b.u16(offset + 12)
        var p = offset + 14
        var tags = 0
        while ((type == ETH_VLAN || type == ETH_QINQ) && tags < 2) {
            if (end - p < 4) return shortEthernet
            type = b.u16(p + 2)
            p += 4
            tags++
        }
        return byEtherType(b, type, p, end)
    }

    private fun byEtherType(b: ByteArray, type: Int, p: Int, end: Int): ParsedReply = when (type) {
        ETH_IPV4 -> ip4(b, p, end)
        ETH_IPV6 -> ip6(b, p, end)
        ETH_ARP -> arp(b, p, end)
        else -> notIp
    }

    private fun ip(b: ByteArray, p: Int, end: Int): ParsedReply {
        if (end - p < 1) return shortIp4
        return when (b.u8(p) ushr 4) {
            4 -> ip4(b, p, end)
            6 -> ip6(b, p, end)
            else -> badVersion
        }
    }

    private fun ip4(b: ByteArray, p: Int, captured: Int): ParsedReply {
        if (captured - p < 20) return shortIp4
        if (b.u8(p) ushr 4 != 4) return badVersion
        val ihl = (b.u8(p) and 0x0f) * 4
        val total = b.u16(p + 2)
        if (ihl < 20 || ihl > total || captured - p < ihl) return badIhl
        // The declared length trims Ethernet padding; a capture cut short by the snap length keeps what it has.
        val end = minOf(captured, p + total)
        if (b.u16(p + 6) and 0x1fff != 0) return fragment
        val ttl = b.u8(p + 8)
        val proto = b.u8(p + 9)
        val src = b.v4At(p + 12)
        val dst = b.v4At(p + 16)
        val l4 = p + ihl
        return when (proto) {
            QuotedPacket.TCP -> tcp(b, l4, end, src, dst, ttl)
            QuotedPacket.UDP -> udp(b, l4, end, src, dst, ttl)
            QuotedPacket.ICMP -> icmp4(b, l4, end, src, dst, ttl)
            else -> Other("IPv4 protocol $proto")
        }
    }

    private fun ip6(b: ByteArray, p: Int, captured: Int): ParsedReply {
        if (captured - p < 40) return shortIp6
        if (b.u8(p) ushr 4 != 6) return badVersion
        val payload = b.u16(p + 4)
        val end = if (payload == 0) captured else minOf(captured, p + 40 + payload)
        val hopLimit = b.u8(p + 7)
        val src = b.v6At(p + 8)
        val dst = b.v6At(p + 24)
        var next = b.u8(p + 6)
        var l4 = p + 40
        var n = 0
        while (true) {
            when (next) {
                0, 43, 60 -> { // hop-by-hop, routing, destination options
                    if (end - l4 < 8) return badExtension
                    val len = (b.u8(l4 + 1) + 1) * 8
                    next = b.u8(l4)
                    l4 += len
                }
                44 -> { // fragment
                    if (end - l4 < 8) return badExtension
                    if (b.u16(l4 + 2) and 0xfff8 != 0) return fragment
                    next = b.u8(l4)
                    l4 += 8
                }
                51 -> { // authentication header
                    if (end - l4 < 8) return badExtension
                    val len = (b.u8(l4 + 1) + 2) * 4
                    next = b.u8(l4)
                    l4 += len
                }
                59 -> return noNextHeader
                else -> break
            }
            if (l4 > end) return badExtension
            if (++n > MAX_EXTENSION_HEADERS) return badExtension
        }
        return when (next) {
            QuotedPacket.TCP -> tcp(b, l4, end, src, dst, hopLimit)
            QuotedPacket.UDP -> udp(b, l4, end, src, dst, hopLimit)
            QuotedPacket.ICMPV6 -> icmp6(b, l4, end, src, dst, hopLimit)
            else -> Other("IPv6 next header $next")
        }
    }

    private fun tcp(b: ByteArray, p: Int, end: Int, src: IpAddress, dst: IpAddress, ttl: Int): ParsedReply {
        if (end - p < 20) return shortTcp
        val dataOffset = (b.u8(p + 12) ushr 4) * 4
        if (dataOffset < 20) return badTcpOffset
        return ParsedReply.Tcp(
            source = src, destination = dst,
            sourcePort = b.u16(p), destinationPort = b.u16(p + 2),
            sequence = b.i32(p + 4), acknowledgment = b.i32(p + 8),
            flags = b.u8(p + 13), window = b.u16(p + 14), ttl = ttl,
            payloadLength = maxOf(0, end - p - dataOffset),
        )
    }

    private fun udp(b: ByteArray, p: Int, end: Int, src: IpAddress, dst: IpAddress, ttl: Int): ParsedReply {
        if (end - p < 8) return shortUdp
        return ParsedReply.Udp(src, dst, b.u16(p), b.u16(p + 2), ttl, maxOf(0, b.u16(p + 4) - 8))
    }

    private fun icmp4(b: ByteArray, p: Int, end: Int, src: IpAddress, dst: IpAddress, ttl: Int): ParsedReply {
        if (end - p < 8) return shortIcmp
        val type = b.u8(p)
        val code = b.u8(p + 1)
        return when (type) {
            0, 8, 13, 14 -> ParsedReply.Icmp(src, dst, type, code, b.u16(p + 4), b.u16(p + 6), ttl)
            3, 4, 5, 11, 12 -> ParsedReply.IcmpError(src, dst, type, code, ttl, quoted4(b, p + 8, end))
            else -> icmpOther
        }
    }

    private fun icmp6(b: ByteArray, p: Int, end: Int, src: IpAddress, dst: IpAddress, hopLimit: Int): ParsedReply {
        if (end - p < 8) return shortIcmp
        val type = b.u8(p)
        val code = b.u8(p + 1)
        return when (type) {
            128, 129 -> ParsedReply.Icmp(src, dst, type, code, b.u16(p + 4), b.u16(p + 6), hopLimit)
            1, 2, 3, 4 -> ParsedReply.IcmpError(src, dst, type, code, hopLimit, quoted6(b, p + 8, end))
            135, 136 -> ndp(b, p, end, src, dst, type == 136)
            else -> icmpOther
        }
    }

    private fun ndp(b: ByteArray, p: Int, end: Int, src: IpAddress, dst: IpAddress, advert: Boolean): ParsedReply {
        if (end - p < 24) return shortNdp
        val flags = b.u8(p + 4)
        val target = b.v6At(p + 8)
        var mac: MacAddress? = null
        var o = p + 24
        val wanted = if (advert) 2 else 1 // target / source link-layer address option
        var n = 0
        while (end - o >= 2 && n++ < 16) {
            val len = b.u8(o + 1) * 8
            if (len == 0 || end - o < len) break // malformed: stop reading options
            if (b.u8(o) == wanted && len >= 8) mac = MacAddress.ofBytes(b, o + 2)
            o += len
        }
        return ParsedReply.Ndp(
            src, dst, advert, target, mac,
            router = advert && flags and 0x80 != 0, solicited = advert && flags and 0x40 != 0, override = advert && flags and 0x20 != 0,
        )
    }

    private fun arp(b: ByteArray, p: Int, end: Int): ParsedReply {
        if (end - p < 28) return shortArp
        if (b.u16(p) != 1 || b.u16(p + 2) != ETH_IPV4 || b.u8(p + 4) != 6 || b.u8(p + 5) != 4) return arpOther
        val op = b.u16(p + 6)
        if (op != 1 && op != 2) return arpOther
        return ParsedReply.Arp(
            isReply = op == 2,
            senderMac = MacAddress.ofBytes(b, p + 8), senderAddress = b.v4At(p + 14),
            targetMac = MacAddress.ofBytes(b, p + 18), targetAddress = b.v4At(p + 24),
        )
    }

    /** The IPv4 packet quoted at [p], or null if fewer than its header and 8 transport bytes are there. */
    private fun quoted4(b: ByteArray, p: Int, end: Int): QuotedPacket? {
        if (end - p < 20 || b.u8(p) ushr 4 != 4) return null
        val ihl = (b.u8(p) and 0x0f) * 4
        if (ihl < 20 || end - p < ihl + 8) return null
        return quotedTransport(b, p + ihl, b.u8(p + 9), b.v4At(p + 12), b.v4At(p + 16))
    }

    private fun quoted6(b: ByteArray, p: Int, end: Int): QuotedPacket? {
        if (end - p < 40 || b.u8(p) ushr 4 != 6) return null
        var next = b.u8(p + 6)
        var l4 = p + 40
        var n = 0
        while (next == 0 || next == 43 || next == 60 || next == 44) {
            if (end - l4 < 8 || ++n > MAX_EXTENSION_HEADERS) return null
            val len = if (next == 44) 8 else (b.u8(l4 + 1) + 1) * 8
            next = b.u8(l4)
            l4 += len
        }
        if (l4 > end || end - l4 < 8) return null
        return quotedTransport(b, l4, next, b.v6At(p + 8), b.v6At(p + 24))
    }

    private fun quotedTransport(b: ByteArray, l4: Int, proto: Int, src: IpAddress, dst: IpAddress): QuotedPacket = when (proto) {
        QuotedPacket.TCP -> QuotedPacket(proto, src, dst, b.u16(l4), b.u16(l4 + 2), b.i32(l4 + 4), 0, 0, 0)
        QuotedPacket.UDP -> QuotedPacket(proto, src, dst, b.u16(l4), b.u16(l4 + 2), 0, 0, 0, 0)
        QuotedPacket.ICMP, QuotedPacket.ICMPV6 -> QuotedPacket(proto, src, dst, 0, 0, 0, b.u8(l4), b.u16(l4 + 4), b.u16(l4 + 6))
        else -> QuotedPacket(proto, src, dst, 0, 0, 0, 0, 0, 0)
    }
}
