package dev.kmap.dsl

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * One host discovery probe (nmap's `-P*` options).
 *
 * ```kotlin
 * scan { discovery { icmpEcho(); tcpSyn(443) } }
 * ```
 */
@Serializable
public sealed interface DiscoveryProbe {
    /** ICMP echo request (`-PE`). */
    @Serializable @SerialName("icmp-echo")
    public data object IcmpEcho : DiscoveryProbe

    /** ICMP timestamp request (`-PP`). */
    @Serializable @SerialName("icmp-timestamp")
    public data object IcmpTimestamp : DiscoveryProbe

    /** ARP request on the local link, NDP for IPv6 (`-PR`). */
    @Serializable @SerialName("arp")
    public data object Arp : DiscoveryProbe

    /** TCP SYN to [ports] (`-PS`). */
    @Serializable @SerialName("tcp-syn")
    public data class TcpSyn(val ports: List<Int>) : DiscoveryProbe

    /** TCP ACK to [ports] (`-PA`). */
    @Serializable @SerialName("tcp-ack")
    public data class TcpAck(val ports: List<Int>) : DiscoveryProbe

    /** UDP datagram to [ports] (`-PU`). */
    @Serializable @SerialName("udp")
    public data class Udp(val ports: List<Int>) : DiscoveryProbe

    /** TCP connect to [ports]: the unprivileged default (80 and 443); a refusal also proves the host up. */
    @Serializable @SerialName("tcp-connect")
    public data class TcpConnect(val ports: List<Int>) : DiscoveryProbe
}
