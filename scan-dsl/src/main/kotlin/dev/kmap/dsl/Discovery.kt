package dev.kmap.dsl

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * How hosts are found up before their ports are scanned.
 *
 * [skip] is nmap's `-Pn` (treat every host as up); an empty [probes] list means the engine's
 * default for its privileges (nmap's: ICMP echo, SYN 443, ACK 80, timestamp when raw; TCP connect
 * to 80 and 443 otherwise; ARP/NDP alone for targets on a local Ethernet link when raw, as nmap).
 * [sendIp] is nmap's `--send-ip`: never ARP/NDP by default, IP probes even on the local link.
 *
 * ```kotlin
 * scan { discovery { icmpEcho(); tcpSyn(22, 443) } }
 * scan { skipDiscovery() } // -Pn
 * scan { sendIp() }        // --send-ip
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class Discovery(
    val skip: Boolean = false,
    val probes: List<DiscoveryProbe> = emptyList(),
    // left out of JSON when false, so plans written before it stay byte-identical
    @EncodeDefault(EncodeDefault.Mode.NEVER) val sendIp: Boolean = false,
)
