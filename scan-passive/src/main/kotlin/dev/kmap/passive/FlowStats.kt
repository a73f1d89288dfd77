package dev.kmap.passive

/**
 * Counters of one flow, per direction ("up" is initiator to responder, "down" the reverse):
 * packets and IP payload bytes as seen on the wire, and what stream reassembly did: bytes
 * delivered in order to the parsers, retransmitted bytes dropped as duplicates, bytes buffered
 * out of order, bytes dropped because they did not fit the window or the buffers, and bytes
 * skipped as gaps (never captured, or cut by the snap length).
 *
 * ```kotlin
 * println("${stats.packetsUp}/${stats.packetsDown} packets, ${stats.gapBytes} bytes missing")
 * ```
 */
public data class FlowStats(
    val packetsUp: Long,
    val packetsDown: Long,
    val bytesUp: Long,
    val bytesDown: Long,
    val firstSeenNanos: Long,
    val lastSeenNanos: Long,
    val deliveredBytes: Long = 0,
    val retransmittedBytes: Long = 0,
    val outOfOrderBytes: Long = 0,
    val droppedBytes: Long = 0,
    val gapBytes: Long = 0,
)
