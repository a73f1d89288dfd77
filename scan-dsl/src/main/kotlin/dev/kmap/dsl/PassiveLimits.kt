package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * The bounds of a passive run: at most [maxFlows] flows tracked at once (the least recently
 * seen is evicted beyond it), at most [maxBufferPerFlow] bytes buffered out of order per flow
 * and [maxBufferTotal] bytes in all (reassembly and parser buffers together), and idle
 * timeouts per protocol in capture time (not wall time). [packetEvents] also reports every
 * packet as an event (off by default: that is one event per packet).
 *
 * ```kotlin
 * passive { read("big.pcap"); limits { maxFlows = 10_000; tcpIdleMillis = 60_000 } }
 * ```
 */
@Serializable
public data class PassiveLimits(
    val maxFlows: Int = 100_000,
    val maxBufferPerFlow: Int = 256 shl 10,
    val maxBufferTotal: Long = 64L shl 20,
    val tcpIdleMillis: Long = 300_000,
    val udpIdleMillis: Long = 60_000,
    val otherIdleMillis: Long = 30_000,
    val packetEvents: Boolean = false,
) {
    init {
        if (maxFlows !in 1..10_000_000) invalid("maxFlows must be 1..10000000: $maxFlows")
        if (maxBufferPerFlow !in 0..(64 shl 20)) invalid("maxBufferPerFlow must be 0..64 MiB: $maxBufferPerFlow")
        if (maxBufferTotal !in 0L..(16L shl 30)) invalid("maxBufferTotal must be 0..16 GiB: $maxBufferTotal")
        for ((name, v) in listOf("tcpIdleMillis" to tcpIdleMillis, "udpIdleMillis" to udpIdleMillis, "otherIdleMillis" to otherIdleMillis)) {
            if (v < 1) invalid("$name must be positive: $v")
        }
    }
}
