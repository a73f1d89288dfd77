package dev.kmap.packet.internal

import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIo
import dev.kmap.packet.PacketIoCapabilities
import dev.kmap.packet.PacketIoStats
import dev.kmap.packet.PacketSink

/** A [PacketIo] made of a capture handle and a sender: what every implementation here is. */
internal class CaptureAndSend(
    override val interfaceName: String,
    private val capture: PcapCapture,
    private val sender: PacketSender,
    override val capabilities: PacketIoCapabilities,
) : PacketIo {
    override fun send(batch: PacketBatch): Int = sender.send(batch)

    override fun receive(timeoutNanos: Long, maxPackets: Int, sink: PacketSink): Int = capture.receive(timeoutNanos, maxPackets, sink)

    override fun setFilter(expression: String): Unit = capture.setFilter(expression)

    override fun stats(): PacketIoStats = PacketIoStats(sender.sent, sender.refused, sender.failed, capture.received, capture.dropped())

    override fun close() {
        try {
            sender.close()
        } finally {
            capture.close()
        }
    }
}
