package dev.kmap.passive

/**
 * Totals of one passive run: frames read, frames that were not IP or ARP, malformed or
 * truncated ones, IP fragments (counted, not reassembled), flows started and ended by reason,
 * bytes dropped by reassembly, parser poisonings, the largest number of flows and of buffered
 * bytes held at once, and whether the capture file ended inside a record ([truncatedFile]) or
 * the run was stopped early ([interrupted]). [kernelDropped] is the live capture's drop count
 * (-1 for files).
 *
 * ```kotlin
 * println("${stats.frames} frames, ${stats.flows} flows, ${stats.evicted} evicted")
 * ```
 */
public data class CaptureStats(
    val frames: Long,
    val bytes: Long,
    val nonIp: Long,
    val malformed: Long,
    val fragments: Long,
    val flows: Long,
    val evicted: Long,
    val idle: Long,
    val droppedBytes: Long,
    val poisoned: Long,
    val peakFlows: Int,
    val peakBufferedBytes: Long,
    val firstTimestampNanos: Long,
    val lastTimestampNanos: Long,
    val truncatedFile: Boolean,
    val interrupted: Boolean,
    val kernelDropped: Long,
)
