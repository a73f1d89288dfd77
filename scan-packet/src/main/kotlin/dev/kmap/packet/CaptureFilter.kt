package dev.kmap.packet

import dev.kmap.dsl.IpAddress

/**
 * libpcap filter expressions for the replies a scan waits for, so the kernel drops the rest
 * before they cost a copy. Addresses are ours ([local], the route's source).
 *
 * ```kotlin
 * io.setFilter(CaptureFilter.tcpReplies(route.source, 40000..40999))
 * ```
 */
public object CaptureFilter {
    /**
     * TCP segments to [local] (on [localPorts] if given) and ICMP messages to [local] (for IPv6
     * without neighbour discovery, which targets send us all the time).
     *
     * ```kotlin
     * CaptureFilter.tcpReplies(IpAddress.parse("10.208.0.1"), 40000..40999)
     * // "(tcp and dst host 10.208.0.1 and dst portrange 40000-40999) or (icmp and dst host 10.208.0.1)"
     * ```
     */
    public fun tcpReplies(local: IpAddress, localPorts: IntRange? = null): String =
        "(tcp and dst host $local${ports(localPorts)}) or (${errors(local)})"

    /**
     * UDP datagrams to [local] (on [localPorts] if given) and ICMP messages to [local] (IPv6:
     * without neighbour discovery).
     *
     * ```kotlin
     * CaptureFilter.udpReplies(IpAddress.parse("fd10:208::1"))
     * ```
     */
    public fun udpReplies(local: IpAddress, localPorts: IntRange? = null): String =
        "(udp and dst host $local${ports(localPorts)}) or (${errors(local)})"

    /**
     * ICMP (or ICMPv6) messages to [local]: echo and timestamp replies, errors.
     *
     * ```kotlin
     * CaptureFilter.icmpReplies(IpAddress.parse("10.208.0.1")) // "icmp and dst host 10.208.0.1"
     * ```
     */
    public fun icmpReplies(local: IpAddress): String = "${icmp(local)} and dst host $local"

    /**
     * ARP replies (IPv4 [local]) or neighbour advertisements (IPv6 [local]).
     *
     * ```kotlin
     * io.setFilter(CaptureFilter.neighbourReplies(route.source))
     * ```
     */
    public fun neighbourReplies(local: IpAddress): String =
        if (local.isV6) "icmp6 and ip6[40] == 136" else "arp and arp[6:2] == 2"

    private fun icmp(local: IpAddress) = if (local.isV6) "icmp6" else "icmp"

    // ICMPv6 types 133..137 are router and neighbour discovery (the type is at ip6[40] without extension headers)
    private fun errors(local: IpAddress) =
        if (local.isV6) "icmp6 and dst host $local and (ip6[40] < 133 or ip6[40] > 137)" else "icmp and dst host $local"

    private fun ports(r: IntRange?): String = when {
        r == null -> ""
        r.first == r.last -> " and dst port ${r.first}"
        else -> " and dst portrange ${r.first}-${r.last}"
    }
}
