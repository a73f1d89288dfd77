package dev.kmap.lab

import java.net.Inet4Address
import java.net.Inet6Address
import java.net.InetAddress

/**
 * What a scanner should find on a lab port.
 *
 * ```kotlin
 * assertEquals(PortState.FILTERED, lab.host(1).tcpState(8081))
 * ```
 */
public enum class PortState {
    /** A listener answers (TCP: SYN/ACK and a banner; UDP: an echo). */
    OPEN,

    /** Nothing listens: TCP answers RST, UDP answers ICMP port unreachable (rate limited). */
    CLOSED,

    /** The target drops the packets silently; for UDP a scanner sees "open|filtered". */
    FILTERED,
}

/**
 * One target host of a [Lab]: a network namespace behind the lab bridge.
 *
 * ```kotlin
 * val h = lab.host(1)
 * Socket(h.inet4, h.openTcpPorts.first())   // reads "lab 10.201.0.11 22"
 * ```
 *
 * @property index 1-based host number.
 * @property name the host's network namespace, `<prefix>-target<index>`.
 * @property ipv4 the host's IPv4 address, e.g. `10.201.0.11`.
 * @property ipv6 the host's IPv6 address as the banner shows it, e.g. `fd10:201::11`.
 * @property mac the MAC address of the host's `eth0`, e.g. `02:6b:6d:00:02:01`.
 * @property services the real daemons running on this host ([LabConfig.services]).
 * @property extraIpv4 more IPv4 addresses this host answers on, like [ipv4] ([LabConfig.extraAddresses]).
 * @property extraIpv6 more IPv6 addresses this host answers on, like [ipv6].
 */
public class LabHost internal constructor(
    public val index: Int,
    public val name: String,
    public val ipv4: String,
    public val ipv6: String,
    public val mac: String,
    ports: HostPorts,
    public val services: Set<LabService> = emptySet(),
    public val extraIpv4: List<String> = emptyList(),
    public val extraIpv6: List<String> = emptyList(),
) {
    /** The python listener's ports: the configured ones minus the [services]' ports. */
    public val ports: HostPorts = ports.copy(
        tcp = ports.tcp - services.flatMap { it.tcpPorts }.toSet(),
        udp = ports.udp - services.flatMap { it.udpPorts }.toSet(),
    )

    /** TCP ports of the [services] (open unless also listed as filtered). */
    public val serviceTcpPorts: Set<Int> = services.flatMap { it.tcpPorts }.toSortedSet()

    /** UDP ports of the [services] (open unless also listed as filtered). */
    public val serviceUdpPorts: Set<Int> = services.flatMap { it.udpPorts }.toSortedSet()

    /** [ipv4] as an [Inet4Address] (no DNS involved). */
    public val inet4: Inet4Address = InetAddress.getByName(ipv4) as Inet4Address

    /** [ipv6] as an [Inet6Address] (no DNS involved). */
    public val inet6: Inet6Address = InetAddress.getByName(ipv6) as Inet6Address

    /** TCP ports that accept connections: the listener's (banner) and the [services]'. */
    public val openTcpPorts: Set<Int> = (this.ports.tcp + serviceTcpPorts - this.ports.filteredTcp).toSortedSet()

    /** UDP ports that answer: the listener's (echo) and the [services]'. */
    public val openUdpPorts: Set<Int> = (this.ports.udp + serviceUdpPorts - this.ports.filteredUdp).toSortedSet()

    /** TCP ports whose packets are dropped silently. */
    public val filteredTcpPorts: Set<Int> = this.ports.filteredTcp.toSortedSet()

    /** UDP ports whose packets are dropped silently. */
    public val filteredUdpPorts: Set<Int> = this.ports.filteredUdp.toSortedSet()

    /** What a TCP scan of [port] should report. Every port not open or filtered is closed. */
    public fun tcpState(port: Int): PortState = when (port) {
        in filteredTcpPorts -> PortState.FILTERED
        in openTcpPorts -> PortState.OPEN
        else -> PortState.CLOSED
    }

    /** What a UDP scan of [port] should report. Every port not open or filtered is closed. */
    public fun udpState(port: Int): PortState = when (port) {
        in filteredUdpPorts -> PortState.FILTERED
        in openUdpPorts -> PortState.OPEN
        else -> PortState.CLOSED
    }

    /** The banner the listener's open TCP [port] sends when reached on [ipv4] (or [ipv6] if [v6]); not for [services]' ports. */
    public fun banner(port: Int, v6: Boolean = false): String = Lab.banner(if (v6) ipv6 else ipv4, port)

    override fun toString(): String =
        "LabHost($name $ipv4 $ipv6 tcp=$openTcpPorts udp=$openUdpPorts filteredTcp=$filteredTcpPorts filteredUdp=$filteredUdpPorts" +
            (if (services.isEmpty()) ")" else " services=$services)")
}
