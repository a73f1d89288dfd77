package dev.kmap.packet

import dev.kmap.dsl.IpAddress

/**
 * What [ReplyParser] made of one captured packet. Every input gives one of these, never an
 * exception: [Unparsable] for malformed or truncated input, [Other] for well-formed packets
 * of no interest to a scanner. The `toString` forms are one line, for logs and [DryRunPacketIo].
 *
 * ```kotlin
 * when (val r = ReplyParser.parse(frame, 0, length, LinkType.ETHERNET)) {
 *     is ParsedReply.Tcp -> if (key.isValidTcpReply(r, TcpFlags.SYN)) println("${r.source}:${r.sourcePort} ${TcpFlags.toString(r.flags)}")
 *     is ParsedReply.IcmpError -> println("unreachable: ${r.quoted}")
 *     else -> {}
 * }
 * ```
 */
public sealed class ParsedReply {
    /**
     * A TCP segment.
     *
     * ```kotlin
     * val open = r.flags and (TcpFlags.SYN or TcpFlags.ACK) == TcpFlags.SYN or TcpFlags.ACK
     * ```
     *
     * @property flags the 8 flag bits ([TcpFlags]).
     * @property window the advertised window, unscaled.
     * @property ttl IPv4 TTL or IPv6 hop limit.
     * @property payloadLength TCP payload bytes (as the IP header declares them, within the capture).
     */
    public data class Tcp(
        val source: IpAddress,
        val destination: IpAddress,
        val sourcePort: Int,
        val destinationPort: Int,
        val sequence: Int,
        val acknowledgment: Int,
        val flags: Int,
        val window: Int,
        val ttl: Int,
        val payloadLength: Int,
    ) : ParsedReply() {
        override fun toString(): String =
            "TCP $source:$sourcePort > $destination:$destinationPort [${TcpFlags.toString(flags)}] " +
                "seq=${Integer.toUnsignedString(sequence)} ack=${Integer.toUnsignedString(acknowledgment)} win=$window ttl=$ttl len=$payloadLength"
    }

    /**
     * A UDP datagram.
     *
     * ```kotlin
     * if (r is ParsedReply.Udp) println("${r.source}:${r.sourcePort} open")
     * ```
     *
     * @property ttl IPv4 TTL or IPv6 hop limit.
     * @property payloadLength payload bytes according to the UDP header.
     */
    public data class Udp(
        val source: IpAddress,
        val destination: IpAddress,
        val sourcePort: Int,
        val destinationPort: Int,
        val ttl: Int,
        val payloadLength: Int,
    ) : ParsedReply() {
        override fun toString(): String = "UDP $source:$sourcePort > $destination:$destinationPort ttl=$ttl len=$payloadLength"
    }

    /**
     * An ICMP or ICMPv6 query or its reply: echo (v4 8/0, v6 128/129) or timestamp (v4 13/14).
     *
     * ```kotlin
     * val up = r is ParsedReply.Icmp && r.isReply
     * ```
     *
     * @property type the ICMP type (ICMPv6 types for IPv6).
     * @property ttl IPv4 TTL or IPv6 hop limit.
     */
    public data class Icmp(
        val source: IpAddress,
        val destination: IpAddress,
        val type: Int,
        val code: Int,
        val identifier: Int,
        val sequence: Int,
        val ttl: Int,
    ) : ParsedReply() {
        /** True for echo reply and timestamp reply, false for the requests. */
        val isReply: Boolean get() = if (source.isV6) type == 129 else type == 0 || type == 14

        override fun toString(): String =
            "${if (source.isV6) "ICMPv6" else "ICMP"} $source > $destination type=$type code=$code id=$identifier seq=$sequence ttl=$ttl"
    }

    /**
     * An ICMP error (v4: unreachable 3, source quench 4, redirect 5, time exceeded 11, parameter
     * problem 12; v6: unreachable 1, packet too big 2, time exceeded 3, parameter problem 4),
     * with the start of the packet it answers.
     *
     * ```kotlin
     * if (r.isPortUnreachable) println("${r.quoted?.destination}:${r.quoted?.destinationPort} closed")
     * ```
     *
     * @property source who sent the error: the target, or a router on the way.
     * @property quoted the quoted packet, or null when the quote is too short to identify it.
     */
    public data class IcmpError(
        val source: IpAddress,
        val destination: IpAddress,
        val type: Int,
        val code: Int,
        val ttl: Int,
        val quoted: QuotedPacket?,
    ) : ParsedReply() {
        /** Destination unreachable (v4 type 3, v6 type 1). */
        val isUnreachable: Boolean get() = type == (if (source.isV6) 1 else 3)

        /** Port unreachable: v4 3/3, v6 1/4. */
        val isPortUnreachable: Boolean get() = isUnreachable && code == (if (source.isV6) 4 else 3)

        override fun toString(): String =
            "${if (source.isV6) "ICMPv6" else "ICMP"} $source > $destination error type=$type code=$code ttl=$ttl quoting ${quoted ?: "(too short)"}"
    }

    /**
     * An ARP request or reply (Ethernet, IPv4).
     *
     * ```kotlin
     * if (r is ParsedReply.Arp && r.isReply && r.senderAddress == nextHop) println(r.senderMac)
     * ```
     */
    public data class Arp(
        val isReply: Boolean,
        val senderMac: MacAddress,
        val senderAddress: IpAddress,
        val targetMac: MacAddress,
        val targetAddress: IpAddress,
    ) : ParsedReply() {
        override fun toString(): String =
            if (isReply) "ARP reply $senderAddress is-at $senderMac (to $targetAddress $targetMac)"
            else "ARP who-has $targetAddress tell $senderAddress $senderMac"
    }

    /**
     * An NDP neighbour solicitation (135) or advertisement (136).
     *
     * ```kotlin
     * if (r is ParsedReply.Ndp && r.isAdvertisement && r.target == nextHop) println(r.linkAddress)
     * ```
     *
     * @property target the address solicited or advertised.
     * @property linkAddress the source (solicitation) or target (advertisement) link-layer address option, if present.
     */
    public data class Ndp(
        val source: IpAddress,
        val destination: IpAddress,
        val isAdvertisement: Boolean,
        val target: IpAddress,
        val linkAddress: MacAddress?,
        val router: Boolean,
        val solicited: Boolean,
        val override: Boolean,
    ) : ParsedReply() {
        override fun toString(): String =
            if (isAdvertisement) "NDP advert $source > $destination $target is-at ${linkAddress ?: "?"}${if (solicited) " solicited" else ""}"
            else "NDP solicit $source > $destination who-has $target (from ${linkAddress ?: "?"})"
    }

    /**
     * A well-formed packet that is none of the above (another protocol, a fragment, another ICMP type).
     *
     * ```kotlin
     * if (r is ParsedReply.Other) log(r.description)
     * ```
     */
    public data class Other(val description: String) : ParsedReply() {
        override fun toString(): String = "other: $description"
    }

    /**
     * Malformed or truncated input, with a short [reason].
     *
     * ```kotlin
     * if (r is ParsedReply.Unparsable) dropped++
     * ```
     */
    public data class Unparsable(val reason: String) : ParsedReply() {
        override fun toString(): String = "unparsable: $reason"
    }
}
