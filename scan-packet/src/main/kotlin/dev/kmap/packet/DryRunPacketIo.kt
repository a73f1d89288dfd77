package dev.kmap.packet

import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock

/**
 * A [PacketIo] that sends nothing: it prints one line per packet it is given (as [ReplyParser]
 * reads it) to [out] and keeps the first [maxRecorded] in [recorded]. Nothing is ever received;
 * [receive] waits out its timeout. For `--dry-run`-style previews and tests of the transmit path.
 *
 * ```kotlin
 * DryRunPacketIo(System.out).use { io -> io.send(batch) }
 * // send TCP 10.208.0.1:40000 > 10.208.0.11:80 [S] seq=... ack=0 win=1024 ttl=64 len=0
 * ```
 *
 * @property maxRecorded how many parsed packets [recorded] keeps (the rest are only counted and printed).
 */
public class DryRunPacketIo(
    private val out: Appendable? = System.out,
    override val interfaceName: String = "dry-run",
    override val capabilities: PacketIoCapabilities = PacketIoCapabilities(LinkType.ETHERNET, canInjectFrames = true, needsRawIpSocket = false),
    public val maxRecorded: Int = 10_000,
) : PacketIo {
    private val lock = ReentrantLock()
    private val closedSignal = lock.newCondition()
    private val kept = ArrayList<ParsedReply>()
    private var count = 0L
    private var closed = false
    private val sendFraming = if (capabilities.canInjectFrames) LinkType.ETHERNET else LinkType.RAW_IP

    /** The first [maxRecorded] packets sent, parsed. */
    public val recorded: List<ParsedReply> get() = lock.withLock { kept.toList() }

    override fun send(batch: PacketBatch): Int {
        for (i in 0 until batch.size) {
            val parsed = ReplyParser.parse(batch.buffer(i), 0, batch.length(i), sendFraming)
            lock.withLock {
                if (closed) return i
                count++
                if (kept.size < maxRecorded) kept += parsed
                out?.append("send ")?.append(parsed.toString())?.append('\n')
            }
        }
        return batch.size
    }

    override fun receive(timeoutNanos: Long, maxPackets: Int, sink: PacketSink): Int {
        require(timeoutNanos >= 0 && maxPackets >= 1) { "timeout must be >= 0 and maxPackets >= 1" }
        lock.withLock {
            var remaining = timeoutNanos
            while (!closed && remaining > 0) remaining = closedSignal.awaitNanos(remaining)
        }
        return 0
    }

    override fun setFilter(expression: String) {
        lock.withLock { out?.append("filter ")?.append(expression)?.append('\n') }
    }

    override fun stats(): PacketIoStats = lock.withLock { PacketIoStats(count, 0, 0, 0, 0) }

    override fun close(): Unit = lock.withLock {
        closed = true
        closedSignal.signalAll()
    }
}
