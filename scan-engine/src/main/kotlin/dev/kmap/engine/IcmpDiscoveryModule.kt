package dev.kmap.engine

import dev.kmap.engine.internal.RawAvailability
import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanType
import dev.kmap.engine.internal.IcmpSession
import kotlin.reflect.KClass

/**
 * Host discovery by ICMP: echo requests (`-PE`, ICMPv6 echo for IPv6 hosts) and timestamp
 * requests (`-PP`, IPv4 only, as in ICMPv6 there is none). The identifier and sequence carry the
 * keyed hash of the probe, so replies are matched without a per-target table. A reply proves the
 * host up (`echo-reply`, `timestamp-reply`); an unreachable error from a router does not.
 *
 * ```kotlin
 * val up = scan(scan { targets("10.0.0.0/24"); pingOnly(); discovery { icmpEcho() } }) // root or CAP_NET_RAW
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public class IcmpDiscoveryModule private constructor(
    private val timestamp: Boolean,
    override val discoveryProbes: Set<KClass<out DiscoveryProbe>>,
) : ProbeModule {
    override val name: String = if (timestamp) "icmp-timestamp" else "icmp-echo"
    override val scanTypes: Set<ScanType> = emptySet()
    override val silence: Verdict = Verdict(PortState.FILTERED, "no-response", hostResponded = false)

    /** Part of nmap's default for routed targets. */
    override val defaultDiscovery: DefaultDiscovery = DefaultDiscovery(routed = discoveryProbes.map { if (timestamp) DiscoveryProbe.IcmpTimestamp else DiscoveryProbe.IcmpEcho })

    override fun unavailableReason(): String? = RawAvailability.reason

    override fun open(): ProbeSession = IcmpSession(timestamp)

    public companion object {

        /** ICMP echo (`-PE`). */
        public val ECHO: IcmpDiscoveryModule = IcmpDiscoveryModule(false, setOf(DiscoveryProbe.IcmpEcho::class))

        /** ICMP timestamp (`-PP`). */
        public val TIMESTAMP: IcmpDiscoveryModule = IcmpDiscoveryModule(true, setOf(DiscoveryProbe.IcmpTimestamp::class))
    }
}
