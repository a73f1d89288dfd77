package dev.kmap.packet

/**
 * Counters of a [PacketIo] since it was opened.
 *
 * ```kotlin
 * val s = io.stats(); println("${s.sent} sent, ${s.received} received, ${s.droppedByKernel} dropped")
 * ```
 *
 * @property sent packets handed to the kernel.
 * @property sendRefused times the kernel refused a packet for now (full buffers) and [PacketIo.send] returned early.
 * @property sendFailed packets the kernel rejected for good (e.g. no route to the destination); skipped.
 * @property received packets delivered to sinks.
 * @property droppedByKernel packets the capture buffer had no room for (libpcap's `ps_drop`), -1 if unknown.
 */
public data class PacketIoStats(
    val sent: Long,
    val sendRefused: Long,
    val sendFailed: Long,
    val received: Long,
    val droppedByKernel: Long,
)
