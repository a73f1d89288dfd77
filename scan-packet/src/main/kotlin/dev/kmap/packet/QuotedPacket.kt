package dev.kmap.packet

import dev.kmap.dsl.IpAddress

/**
 * The start of the packet an ICMP error quotes: its IP addresses and the first 8 bytes of its
 * transport header, which identify the probe the error answers (ports, and the TCP sequence
 * number or ICMP identifier that carries a [ProbeKey] hash).
 *
 * ```kotlin
 * val q = (reply as ParsedReply.IcmpError).quoted ?: return
 * if (q.protocol == QuotedPacket.UDP && key.isValidUdpProbe(q, basePort, portCount)) println("${q.destination}:${q.destinationPort} closed")
 * ```
 *
 * @property protocol the quoted packet's IP protocol ([TCP], [UDP], [ICMP], [ICMPV6], or another number).
 * @property source the quoted packet's source: our address, for a probe of ours.
 * @property destination the quoted packet's destination: the probed address.
 * @property sourcePort TCP/UDP source port (our port); 0 for other protocols.
 * @property destinationPort TCP/UDP destination port (the probed port); 0 for other protocols.
 * @property tcpSequence the quoted TCP sequence number; 0 for other protocols.
 * @property icmpType the quoted ICMP/ICMPv6 type; 0 for other protocols.
 * @property icmpIdentifier the quoted ICMP echo/timestamp identifier; 0 for other protocols.
 * @property icmpSequence the quoted ICMP echo/timestamp sequence number; 0 for other protocols.
 */
public data class QuotedPacket(
    val protocol: Int,
    val source: IpAddress,
    val destination: IpAddress,
    val sourcePort: Int,
    val destinationPort: Int,
    val tcpSequence: Int,
    val icmpType: Int,
    val icmpIdentifier: Int,
    val icmpSequence: Int,
) {
    override fun toString(): String = when (protocol) {
        TCP -> "TCP $source:$sourcePort > $destination:$destinationPort seq=${Integer.toUnsignedString(tcpSequence)}"
        UDP -> "UDP $source:$sourcePort > $destination:$destinationPort"
        ICMP, ICMPV6 -> "ICMP $source > $destination type=$icmpType id=$icmpIdentifier seq=$icmpSequence"
        else -> "proto $protocol $source > $destination"
    }

    /** IP protocol numbers. */
    public companion object {
        /** ICMP for IPv4. */
        public const val ICMP: Int = 1

        /** TCP. */
        public const val TCP: Int = 6

        /** UDP. */
        public const val UDP: Int = 17

        /** ICMPv6. */
        public const val ICMPV6: Int = 58
    }
}
