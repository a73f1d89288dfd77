package dev.kmap.passive

import dev.kmap.dsl.IpAddress

/**
 * A bidirectional flow's 5-tuple in its canonical orientation: the [initiator] sent the SYN (or,
 * without one, the first packet seen) and the [responder] is the other side. The orientation is
 * fixed when the flow starts and never flips. Ports are 0 for protocols without them.
 *
 * ```kotlin
 * val key = FlowKey(FlowKey.TCP, IpAddress.parse("10.0.0.2"), 40000, IpAddress.parse("10.0.0.1"), 443)
 * println(key) // tcp 10.0.0.2:40000 > 10.0.0.1:443
 * ```
 *
 * @property protocol the IP protocol number ([TCP] 6, [UDP] 17, ICMP 1, ICMPv6 58, ...).
 */
public data class FlowKey(
    val protocol: Int,
    val initiator: IpAddress,
    val initiatorPort: Int,
    val responder: IpAddress,
    val responderPort: Int,
) {
    override fun toString(): String {
        val name = when (protocol) { TCP -> "tcp"; UDP -> "udp"; 1 -> "icmp"; 58 -> "icmp6"; else -> "ip/$protocol" }
        fun at(a: IpAddress, port: Int) = if (a.isV6) "[$a]:$port" else "$a:$port"
        return "$name ${at(initiator, initiatorPort)} > ${at(responder, responderPort)}"
    }

    /** Protocol numbers. */
    public companion object {
        /** TCP. */
        public const val TCP: Int = 6

        /** UDP. */
        public const val UDP: Int = 17
    }
}
