package dev.kmap.engine

import dev.kmap.dsl.Protocol
import kotlinx.serialization.Serializable

/**
 * The finding for one port: [state], nmap's [reason], the conventional [service] name, and the
 * round-trip time of the deciding reply in microseconds ([rttMicros], null without a reply).
 *
 * ```kotlin
 * report.hosts.flatMap { it.ports }.filter { it.state == PortState.OPEN }.forEach { println(it.port) }
 * ```
 */
@Serializable
public data class PortResult(
    val port: Int,
    val protocol: Protocol,
    val state: PortState,
    val reason: String,
    val service: String? = null,
    val rttMicros: Long? = null,
)
