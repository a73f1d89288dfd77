package dev.kmap.engine

import kotlinx.serialization.Serializable

/**
 * What a probe module concluded from a reply (or from silence): a port [state] and nmap's
 * [reason] for it (`syn-ack`, `conn-refused`, `reset`, `no-response`, `host-unreach`...).
 * [hostResponded] tells host discovery that the host itself is up.
 *
 * ```kotlin
 * val refused = Verdict(PortState.CLOSED, "conn-refused", hostResponded = true)
 * ```
 */
@Serializable
public data class Verdict(val state: PortState, val reason: String, val hostResponded: Boolean)
