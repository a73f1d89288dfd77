package dev.kmap.engine

import kotlinx.serialization.Serializable

/**
 * Totals of a finished (or stopped) scan. Times are epoch milliseconds.
 *
 * ```kotlin
 * println("${stats.hostsUp} hosts up, ${stats.elapsedMillis} ms" + if (stats.interrupted) " (interrupted)" else "")
 * ```
 */
@Serializable
public data class ScanStats(
    val startedAtMillis: Long,
    val finishedAtMillis: Long,
    val hostsUp: Long,
    val hostsDown: Long,
    val hostsTotal: Long,
    val probesSent: Long,
    val interrupted: Boolean,
) {
    /** Wall time of the scan. */
    val elapsedMillis: Long get() = finishedAtMillis - startedAtMillis
}
