package dev.kmap.engine

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanType
import dev.kmap.engine.internal.NeighbourSession
import dev.kmap.engine.internal.RawAvailability
import kotlin.reflect.KClass

/**
 * Host discovery on the local link (`-PR`): an ARP request for IPv4 hosts, a neighbour
 * solicitation for IPv6 hosts. The answer proves the host up (`arp-response`, `nd-response`),
 * whatever its firewall says about IP. Hosts reached through a router cannot be asked this way
 * and get no answer here (use another discovery probe for them).
 *
 * ```kotlin
 * val up = scan(scan { targets("192.168.1.0/24"); pingOnly(); discovery { arp() } }) // root or CAP_NET_RAW
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public object NeighbourDiscoveryModule : ProbeModule {

    override val name: String = "arp-ndp"
    override val scanTypes: Set<ScanType> = emptySet()
    override val discoveryProbes: Set<KClass<out DiscoveryProbe>> = setOf(DiscoveryProbe.Arp::class)
    override val silence: Verdict = Verdict(PortState.FILTERED, "no-response", hostResponded = false)

    /** Absent addresses hold no window: all of a group's requests go out at once. */
    override val timingProfile: TimingProfile = TimingProfile.NEIGHBOUR

    /** nmap's default for on-link targets: ARP or NDP alone. */
    override val defaultDiscovery: DefaultDiscovery = DefaultDiscovery(onLink = listOf(DiscoveryProbe.Arp))

    override fun unavailableReason(): String? = RawAvailability.reason

    override fun open(): ProbeSession = NeighbourSession()
}
