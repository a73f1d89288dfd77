@file:OptIn(InternalKmapApi::class)

package dev.kmap.packet.internal

import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Platform
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIoException
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write

/**
 * The send half of the pcap-based packet I/O: frames go out with `sendmmsg(2)`, a batch per
 * system call, on the capture handle's own packet socket (`pcap_sendpacket` sends one frame per
 * call on the same socket), without a second handle. A second
 * libpcap handle would cost a receive ring and two kernel RCU grace periods to open and another
 * to close (tens of milliseconds each), and its socket would see, and filter, every frame we send.
 * The kernel serialises `send` against the capture thread's ring reads; the handle's own socket
 * never receives what it sends. Frames are copied into one native buffer (cheaper than JNA's
 * marshalling of the whole array). [close] must come before the capture's close.
 */
internal class CaptureSocketSender(private val capture: PcapCapture) : PacketSender {
    private val native = Memory(FRAME_BYTES)
    private val iovecs = Memory(MAX_MESSAGES * IOVEC_SIZE)

    /** `struct mmsghdr[MAX_MESSAGES]`, each pointing at its own iovec (x86-64 / aarch64 layout). */
    private val headers = Memory(MAX_MESSAGES * MMSGHDR_SIZE).also { h ->
        h.clear()
        for (k in 0 until MAX_MESSAGES) {
            h.setPointer(k * MMSGHDR_SIZE + 16, iovecs.share(k * IOVEC_SIZE)) // msg_iov
            h.setLong(k * MMSGHDR_SIZE + 24, 1) // msg_iovlen
        }
    }
    private val lock = ReentrantReadWriteLock()

    @Volatile
    private var closed = false

    @Volatile
    override var sent: Long = 0
        private set

    @Volatile
    override var refused: Long = 0
        private set

    @Volatile
    override var failed: Long = 0
        private set

    override fun send(batch: PacketBatch): Int = lock.read {
        var i = 0
        while (i < batch.size && !closed) {
            val n = if (capture.fd >= 0 && Platform.is64Bit()) sendMany(capture.fd, batch, i) else sendThroughPcap4j(batch, i)
            if (n > 0) {
                sent += n
                i += n
                continue
            }
            if (n == REFUSED) {
                refused++
                break
            }
            failed++ // this frame: skip it
            i++
        }
        i
    }

    /**
     * Sends frames [from].. of [batch] with one `sendmmsg(2)`, as many as fit [native]: the count
     * sent, or [REFUSED] (buffer space: later) or [FAILED] (the first frame); throws when the
     * interface is unusable.
     */
    private fun sendMany(fd: Int, batch: PacketBatch, from: Int): Int {
        var count = 0
        var offset = 0L
        while (from + count < batch.size && count < MAX_MESSAGES) {
            val len = batch.length(from + count)
            if (offset + len > FRAME_BYTES) break
            native.write(offset, batch.buffer(from + count), 0, len)
            iovecs.setPointer(count * IOVEC_SIZE, native.share(offset))
            iovecs.setLong(count * IOVEC_SIZE + 8, len.toLong())
            offset += len
            count++
        }
        repeat(3) { // bounded: EINTR retries
            val r = LibC.sendmmsg(fd, headers, count, 0)
            if (r > 0) return r
            when (val errno = Native.getLastError()) {
                LibC.EINTR -> {}
                LibC.EAGAIN, LibC.ENOBUFS -> return REFUSED
                LibC.ENETDOWN, LibC.ENODEV, LibC.ENXIO, LibC.EPERM, LibC.EACCES ->
                    throw PacketIoException("send on ${capture.interfaceName} failed: ${Pcap.explain(LibC.errorText(errno))}")
                else -> return FAILED
            }
        }
        return REFUSED
    }

    /** One frame through pcap4j (when the socket is unknown): 1, [REFUSED] or [FAILED]. */
    private fun sendThroughPcap4j(batch: PacketBatch, i: Int): Int {
        val message = capture.sendThroughPcap4j(batch.buffer(i), batch.length(i)) ?: return 1
        return when {
            message.contains("No buffer space") || message.contains("Resource temporarily unavailable") || message.contains("Interrupted") -> REFUSED
            message.contains("Network is down") || message.contains("No such device") || message.contains("not permitted") ->
                throw PacketIoException("send on ${capture.interfaceName} failed: ${Pcap.explain(message)}")
            else -> FAILED
        }
    }

    override fun close() {
        closed = true
        lock.write { }
    }

    private companion object {
        const val REFUSED = -1
        const val FAILED = -2
        const val MAX_MESSAGES = 64
        const val FRAME_BYTES = 65536L + MAX_MESSAGES * 256L // a jumbo frame, or 64 probes
        const val IOVEC_SIZE = 16L
        const val MMSGHDR_SIZE = 64L // struct msghdr (56) + msg_len (4) + padding
    }
}
