package dev.kmap.packet

import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock

/**
 * An in-memory [PacketIo] for unit tests: records every packet sent, answers through [network]
 * (a function from a sent packet to the packets that come back), and lets tests [inject]
 * packets. The capture filter is recorded, not applied. Thread-safe.
 *
 * ```kotlin
 * val io = FakePacketIo { frame -> listOf(synAckFor(frame)) }
 * io.send(batch)
 * io.receive(0) { buf, off, len, _ -> replies += ReplyParser.parse(buf, off, len, LinkType.ETHERNET) }
 * assertEquals(1, io.sent.size)
 * ```
 *
 * @property maxQueued packets waiting for [receive] beyond which new ones are dropped (counted in [PacketIoStats.droppedByKernel]).
 */
public class FakePacketIo(
    override val interfaceName: String = "fake0",
    override val capabilities: PacketIoCapabilities = PacketIoCapabilities(LinkType.ETHERNET, canInjectFrames = true, needsRawIpSocket = false),
    public val maxQueued: Int = 65536,
    private val network: (ByteArray) -> List<ByteArray> = { emptyList() },
) : PacketIo {
    private val lock = ReentrantLock()
    private val arrived = lock.newCondition()
    private val queue = ArrayDeque<ByteArray>()
    private val sentPackets = ArrayList<ByteArray>()
    private var received = 0L
    private var dropped = 0L
    private var closed = false

    /** The most packets one [send] call accepts, to simulate full kernel buffers. */
    @Volatile
    public var acceptPerSend: Int = Int.MAX_VALUE

    /** The last filter set (initially null). */
    @Volatile
    public var filter: String? = null
        private set

    /** Copies of the packets sent so far, in order. */
    public val sent: List<ByteArray> get() = lock.withLock { sentPackets.toList() }

    /**
     * Queues [packet] (copied) for [receive], as if captured.
     *
     * ```kotlin
     * io.inject(arpReplyFrame)
     * ```
     */
    public fun inject(packet: ByteArray): Unit = lock.withLock {
        if (queue.size >= maxQueued) {
            dropped++
        } else {
            queue.addLast(packet.copyOf())
            arrived.signalAll()
        }
    }

    override fun send(batch: PacketBatch): Int {
        val n = minOf(batch.size, acceptPerSend)
        for (i in 0 until n) {
            val packet = batch.buffer(i).copyOf(batch.length(i))
            lock.withLock {
                if (closed) return i
                sentPackets += packet
            }
            network(packet).forEach(::inject)
        }
        return n
    }

    override fun receive(timeoutNanos: Long, maxPackets: Int, sink: PacketSink): Int {
        require(timeoutNanos >= 0 && maxPackets >= 1) { "timeout must be >= 0 and maxPackets >= 1" }
        val batch = lock.withLock {
            var remaining = timeoutNanos
            while (queue.isEmpty() && !closed && remaining > 0) remaining = arrived.awaitNanos(remaining)
            val out = ArrayList<ByteArray>(minOf(queue.size, maxPackets))
            while (out.size < maxPackets && queue.isNotEmpty()) out += queue.removeFirst()
            received += out.size
            out
        }
        val now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis())
        for (p in batch) sink.packet(p, 0, p.size, now)
        return batch.size
    }

    override fun setFilter(expression: String) {
        filter = expression
    }

    override fun stats(): PacketIoStats = lock.withLock { PacketIoStats(sentPackets.size.toLong(), 0, 0, received, dropped) }

    override fun close(): Unit = lock.withLock {
        closed = true
        arrived.signalAll()
    }
}
