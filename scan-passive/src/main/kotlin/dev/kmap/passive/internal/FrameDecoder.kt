package dev.kmap.passive.internal

/**
 * Decodes link, network and transport headers of a frame into a [Packet]: Ethernet (802.1Q and
 * 802.1ad/QinQ tags stripped, up to [MAX_TAGS]), Linux cooked v1 and v2, BSD loopback, raw IPv4
 * and IPv6 (extension headers skipped). IP fragments are reported as [Packet.FRAGMENT] and not
 * reassembled. Every read is bounds-checked; it never throws on any input.
 */
internal object FrameDecoder {
    private const val MAX_TAGS = 4
    private const val MAX_EXT = 8

    fun decode(linkType: Int, b: ByteArray, off: Int, len: Int, p: Packet): Int {
        if (off < 0 || len < 0 || off > b.size - len) return Packet.MALFORMED
        p.buf = b
        p.hasMac = false
        p.vlanTags = 0
        p.ipVersion = 0
        val end = off + len
        return when (linkType) {
            1 -> ethernet(b, off, end, p)
            101, 12, 14 -> ip(b, off, end, p)
            228 -> ip4(b, off, end, p)
            229 -> ip6(b, off, end, p)
            113 -> {
                if (len < 16) return Packet.MALFORMED
                if (u16(b, off + 2) == 1 && u16(b, off + 4) == 6) { p.hasMac = true; p.srcMac = u48(b, off + 6) }
                byType(u16(b, off + 14), b, off + 16, end, p)
            }
            276 -> {
                if (len < 20) return Packet.MALFORMED
                if (u16(b, off + 8) == 1 && u8(b, off + 11) == 6) { p.hasMac = true; p.srcMac = u48(b, off + 12) }
                byType(u16(b, off), b, off + 20, end, p)
            }
            0, 108 -> {
                if (len < 4) return Packet.MALFORMED
                val family = if (linkType == 108) u8(b, off + 3) else if (b[off].toInt() != 0) u8(b, off) else u8(b, off + 3)
                when (family) {
                    2 -> ip4(b, off + 4, end, p)
                    10, 24, 28, 30 -> ip6(b, off + 4, end, p)
                    else -> Packet.NOT_IP
                }
            }
            else -> Packet.UNKNOWN_LINK
        }
    }

    private fun ethernet(b: ByteArray, off: Int, end: Int, p: Packet): Int {
        if (end - off < 14) return Packet.MALFORMED
        p.hasMac = true
        p.srcMac = u48(b, off + 6)
        var type = u16(b, off + 12)
        var at = off + 14
        while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && p.vlanTags < MAX_TAGS) {
            if (end - at < 4) return Packet.MALFORMED
            type = u16(b, at + 2)
            at += 4
            p.vlanTags++
        }
        return byType(type, b, at, end, p)
    }

    private fun byType(type: Int, b: ByteArray, at: Int, end: Int, p: Packet): Int = when (type) {
        0x0800 -> ip4(b, at, end, p)
        0x86dd -> ip6(b, at, end, p)
        0x0806 -> arp(b, at, end, p)
        else -> Packet.NOT_IP
    }

    private fun ip(b: ByteArray, at: Int, end: Int, p: Packet): Int {
        if (end - at < 1) return Packet.MALFORMED
        return when (u8(b, at) ushr 4) { 4 -> ip4(b, at, end, p); 6 -> ip6(b, at, end, p); else -> Packet.MALFORMED }
    }

    private fun arp(b: ByteArray, at: Int, end: Int, p: Packet): Int {
        if (end - at < 28) return Packet.MALFORMED
        if (u16(b, at) != 1 || u16(b, at + 2) != 0x0800 || u8(b, at + 4) != 6 || u8(b, at + 5) != 4) return Packet.NOT_IP
        p.arpOp = u16(b, at + 6)
        p.arpSenderMac = u48(b, at + 8)
        p.arpSenderIp = i32(b, at + 14)
        return Packet.ARP
    }

    private fun ip4(b: ByteArray, at: Int, captured: Int, p: Packet): Int {
        if (captured - at < 20) return Packet.MALFORMED
        val v = u8(b, at)
        if (v ushr 4 != 4) return Packet.MALFORMED
        val ihl = (v and 0x0f) * 4
        val total = u16(b, at + 2)
        if (ihl < 20 || captured - at < ihl) return Packet.MALFORMED
        // a total of 0 is what TSO-offloaded captures show: trust the capture then
        val wireEnd = if (total == 0) captured else at + maxOf(total, ihl)
        val end = minOf(captured, wireEnd)
        p.ipVersion = 4
        p.ecn = u8(b, at + 1) and 3 != 0
        p.ipId = u16(b, at + 4)
        val frag = u16(b, at + 6)
        p.df = frag and 0x4000 != 0
        p.ttl = u8(b, at + 8)
        p.proto = u8(b, at + 9)
        p.srcHi = 0; p.srcLo = i32(b, at + 12).toLong() and 0xffff_ffffL
        p.dstHi = 0; p.dstLo = i32(b, at + 16).toLong() and 0xffff_ffffL
        p.ipOptionBytes = ihl - 20
        p.flowLabel = 0
        p.ipWireLength = wireEnd - at
        if (frag and 0x3fff != 0) return Packet.FRAGMENT // MF set or an offset
        return transport(b, at + ihl, end, wireEnd, p)
    }

    private fun ip6(b: ByteArray, at: Int, captured: Int, p: Packet): Int {
        if (captured - at < 40) return Packet.MALFORMED
        if (u8(b, at) ushr 4 != 6) return Packet.MALFORMED
        val payload = u16(b, at + 4)
        val wireEnd = if (payload == 0) captured else at + 40 + payload
        val end = minOf(captured, wireEnd)
        p.ipVersion = 6
        val w = i32(b, at)
        p.ecn = (w ushr 20) and 3 != 0
        p.flowLabel = w and 0xfffff
        p.ttl = u8(b, at + 7)
        p.srcHi = i64(b, at + 8); p.srcLo = i64(b, at + 16)
        p.dstHi = i64(b, at + 24); p.dstLo = i64(b, at + 32)
        p.df = false
        p.ipId = 0
        p.ipOptionBytes = 0
        p.ipWireLength = wireEnd - at
        var next = u8(b, at + 6)
        var l4 = at + 40
        var n = 0
        while (true) {
            when (next) {
                0, 43, 60 -> {
                    if (end - l4 < 8) return Packet.MALFORMED
                    val len = (u8(b, l4 + 1) + 1) * 8
                    next = u8(b, l4); l4 += len; p.ipOptionBytes += len
                }
                44 -> return Packet.FRAGMENT
                51 -> {
                    if (end - l4 < 8) return Packet.MALFORMED
                    val len = (u8(b, l4 + 1) + 2) * 4
                    next = u8(b, l4); l4 += len; p.ipOptionBytes += len
                }
                else -> break
            }
            if (l4 > end || ++n > MAX_EXT) return Packet.MALFORMED
        }
        p.proto = next
        return transport(b, l4, end, wireEnd, p)
    }

    private fun transport(b: ByteArray, at: Int, end: Int, wireEnd: Int, p: Packet): Int = when (p.proto) {
        6 -> tcp(b, at, end, wireEnd, p)
        17 -> udp(b, at, end, wireEnd, p)
        else -> {
            p.srcPort = 0; p.dstPort = 0
            p.payloadAt = at; p.payloadLen = maxOf(0, end - at); p.payloadWire = maxOf(p.payloadLen, wireEnd - at)
            if (p.proto == 1 || p.proto == 58) Packet.ICMP else Packet.OTHER_IP
        }
    }

    private fun tcp(b: ByteArray, at: Int, end: Int, wireEnd: Int, p: Packet): Int {
        if (end - at < 20) return Packet.MALFORMED
        val dataOffset = (u8(b, at + 12) ushr 4) * 4
        if (dataOffset < 20 || end - at < dataOffset) return Packet.MALFORMED
        p.srcPort = u16(b, at)
        p.dstPort = u16(b, at + 2)
        p.seq = i32(b, at + 4)
        p.ack = i32(b, at + 8)
        p.tcpReservedBits = u8(b, at + 12) and 0x0f
        p.flags = u8(b, at + 13)
        p.window = u16(b, at + 14)
        p.urgentPointer = u16(b, at + 18)
        p.tcpOptionsAt = at + 20
        p.tcpOptionsLen = dataOffset - 20
        p.payloadAt = at + dataOffset
        p.payloadLen = end - p.payloadAt
        p.payloadWire = maxOf(p.payloadLen, wireEnd - p.payloadAt)
        return Packet.TCP
    }

    private fun udp(b: ByteArray, at: Int, end: Int, wireEnd: Int, p: Packet): Int {
        if (end - at < 8) return Packet.MALFORMED
        p.srcPort = u16(b, at)
        p.dstPort = u16(b, at + 2)
        val declared = u16(b, at + 4) - 8
        p.payloadAt = at + 8
        p.payloadWire = if (declared >= 0) declared else wireEnd - p.payloadAt
        p.payloadLen = minOf(end - p.payloadAt, maxOf(0, p.payloadWire))
        return Packet.UDP
    }

    fun u8(b: ByteArray, i: Int): Int = b[i].toInt() and 0xff
    fun u16(b: ByteArray, i: Int): Int = ((b[i].toInt() and 0xff) shl 8) or (b[i + 1].toInt() and 0xff)
    fun i32(b: ByteArray, i: Int): Int =
        ((b[i].toInt() and 0xff) shl 24) or ((b[i + 1].toInt() and 0xff) shl 16) or ((b[i + 2].toInt() and 0xff) shl 8) or (b[i + 3].toInt() and 0xff)
    fun i64(b: ByteArray, i: Int): Long = (i32(b, i).toLong() shl 32) or (i32(b, i + 4).toLong() and 0xffff_ffffL)
    fun u48(b: ByteArray, i: Int): Long = (u16(b, i).toLong() shl 32) or (i32(b, i + 2).toLong() and 0xffff_ffffL)
}
