package dev.kmap.engine

import dev.kmap.dsl.DiscoveryProbe

/**
 * What a [ProbeModule] adds to the default host discovery, used when the plan names no discovery
 * probes: its probes for [routed] targets (reached through a router, or this machine's own
 * addresses) and for [onLink] targets (on a directly attached Ethernet link). The engine takes
 * the probes of every available module, in registration order; [fallback] probes are used only
 * when no other module contributes (the unprivileged connect ping). With raw packets this gives
 * nmap's default: ICMP echo, SYN to 443, ACK to 80 and ICMP timestamp for routed targets, ARP or
 * NDP alone for on-link ones; `--send-ip` ([dev.kmap.dsl.Discovery.sendIp]) gives on-link targets
 * the routed probes.
 *
 * ```kotlin
 * override val defaultDiscovery = DefaultDiscovery(routed = listOf(DiscoveryProbe.IcmpEcho))
 * ```
 */
public data class DefaultDiscovery(
    val routed: List<DiscoveryProbe> = emptyList(),
    val onLink: List<DiscoveryProbe> = emptyList(),
    val fallback: Boolean = false,
)
