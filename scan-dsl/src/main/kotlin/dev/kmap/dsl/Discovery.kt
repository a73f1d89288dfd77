package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * How hosts are found up before their ports are scanned.
 *
 * [skip] is nmap's `-Pn` (treat every host as up); an empty [probes] list means the engine's
 * default for its privileges (nmap's: ICMP echo, SYN 443, ACK 80, timestamp when raw; TCP connect
 * to 80 and 443 otherwise).
 *
 * ```kotlin
 * scan { discovery { icmpEcho(); tcpSyn(22, 443) } }
 * scan { skipDiscovery() } // -Pn
 * ```
 */
@Serializable
public data class Discovery(
    val skip: Boolean = false,
    val probes: List<DiscoveryProbe> = emptyList(),
)
