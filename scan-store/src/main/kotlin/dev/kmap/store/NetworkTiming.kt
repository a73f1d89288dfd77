package dev.kmap.store

/**
 * What earlier scans measured on a [network] (an IPv4 /24 or an IPv6 /64, e.g. `10.0.0.0/24`):
 * the smoothed round trip [srttMicros] and its variation [rttvarMicros] (median and median
 * deviation of the reply times, blended over scans), the share of probes that were [loss] (an
 * estimate: retransmissions beyond what silent ports need, over probes sent), from [samples]
 * replies, last updated at [updatedAtMillis]. The next scan of the network starts from it
 * ([initialTimeoutMillis]) instead of the timing template's blind guess.
 *
 * ```kotlin
 * store.learnedTiming(IpAddress.parse("10.0.0.5"))?.let { println("${it.network}: ${it.srttMicros} µs, loss ${it.loss}") }
 * ```
 */
public data class NetworkTiming(
    val network: String,
    val srttMicros: Long,
    val rttvarMicros: Long,
    val loss: Double,
    val samples: Long,
    val updatedAtMillis: Long,
) {
    /** The first probe timeout this suggests: `srtt + 4 * rttvar` (RFC 6298), in whole milliseconds, at least 1. */
    val initialTimeoutMillis: Long get() = ((srttMicros + 4 * rttvarMicros + 999) / 1000).coerceAtLeast(1)
}
