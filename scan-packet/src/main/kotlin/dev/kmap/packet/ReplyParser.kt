package dev.kmap.packet

import dev.kmap.packet.internal.PacketDecoder

/**
 * Parses captured frames into [ParsedReply]: Ethernet (with VLAN tags), Linux cooked, BSD
 * loopback or bare IP framing; IPv4 and IPv6 (extension headers skipped); TCP, UDP, ICMP and
 * ICMPv6 (errors with the quoted probe), ARP and NDP. It never throws: malformed input gives
 * [ParsedReply.Unparsable]. Checksums are not verified (captured frames often carry partial
 * checksums because of offload). Stateless and thread-safe; allocates only the result.
 *
 * ```kotlin
 * io.receive(timeoutNanos = 50_000_000) { buf, off, len, _ ->
 *     val reply = ReplyParser.parse(buf, off, len, io.capabilities.linkType)
 *     println(reply)
 * }
 * ```
 */
public object ReplyParser {
    /**
     * Parses [length] bytes of [buffer] from [offset], framed as [linkType].
     *
     * ```kotlin
     * ReplyParser.parse(ByteArray(3), 0, 3, LinkType.ETHERNET) // Unparsable("short Ethernet header")
     * ```
     */
    public fun parse(buffer: ByteArray, offset: Int, length: Int, linkType: LinkType): ParsedReply {
        if (offset < 0 || length < 0 || offset > buffer.size - length) return ParsedReply.Unparsable("bounds outside the buffer")
        return try {
            PacketDecoder.decode(buffer, offset, length, linkType)
        } catch (e: RuntimeException) {
            // Not expected (the property tests feed millions of random frames); a bug, not a crash.
            ParsedReply.Unparsable("parser error: $e")
        }
    }

    /**
     * Parses a bare IPv4 or IPv6 packet (what a raw socket receives).
     *
     * ```kotlin
     * val r = ReplyParser.parseIp(packet, 0, packet.size)
     * ```
     */
    public fun parseIp(buffer: ByteArray, offset: Int, length: Int): ParsedReply = parse(buffer, offset, length, LinkType.RAW_IP)
}
