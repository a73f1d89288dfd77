package dev.kmap.engine

import dev.kmap.engine.internal.RawAvailability
import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanType
import dev.kmap.engine.internal.UdpSession
import kotlin.reflect.KClass

/**
 * The UDP scan `-sU`: crafted datagrams from prebuilt templates, a protocol request for common
 * ports (DNS 53, NTP 123, NetBIOS 137, SNMP 161, SSDP 1900) and an empty payload otherwise;
 * replies captured with a kernel filter and matched statelessly (the source port, one of a range,
 * carries a keyed hash of the probe). nmap's state semantics:
 *
 * | reply | state | reason |
 * |---|---|---|
 * | a UDP datagram from the port | open | `udp-response` |
 * | ICMP port unreachable from the target | closed | `port-unreach` |
 * | another ICMP unreachable (or port unreachable from a router) | filtered | `host-unreach`, `admin-prohibited`... |
 * | silence after the retries | open\|filtered | `no-response` |
 *
 * Targets rate-limit ICMP errors (Linux: about one per second per source by default, and a
 * global budget), so closed ports of a busy target may look open|filtered unless probes are paced
 * (e.g. `maxRate`) or retried.
 *
 * ```kotlin
 * val report = scan(scan { targets("10.0.0.5"); ports("U:53,161"); udp() }) // needs root or CAP_NET_RAW
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public object UdpScanModule : ProbeModule {
    override val name: String = "raw-udp"
    override val scanTypes: Set<ScanType> = setOf(ScanType.UDP)
    /** The UDP ping (`-PU`): a datagram back or a port unreachable from the host proves it up. */
    override val discoveryProbes: Set<KClass<out DiscoveryProbe>> = setOf(DiscoveryProbe.Udp::class)
    override val silence: Verdict = Verdict(PortState.OPEN_FILTERED, "no-response", hostResponded = false)

    override val timingProfile: TimingProfile = TimingProfile.ERROR_RATE_LIMITED

    override fun unavailableReason(): String? = RawAvailability.reason

    override fun discoveryPorts(probe: DiscoveryProbe): List<Int> = (probe as DiscoveryProbe.Udp).ports

    override fun open(): ProbeSession = UdpSession()
}
