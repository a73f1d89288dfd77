package dev.kmap.packet.internal

import com.sun.jna.Memory
import com.sun.jna.Native
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIoException
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write

/**
 * The send half of the pcap-based packet I/O: frames go out with `send(2)` on the capture
 * handle's own packet socket, as `pcap_sendpacket` would, but without a second handle. A second
 * libpcap handle would cost a receive ring and two kernel RCU grace periods to open and another
 * to close (tens of milliseconds each), and its socket would see, and filter, every frame we send.
 * The kernel serialises `send` against the capture thread's ring reads; the handle's own socket
 * never receives what it sends. Frames are copied into one native buffer (cheaper than JNA's
 * marshalling of the whole array). [close] must come before the capture's close.
 */
internal class CaptureSocketSender(private val capture: PcapCapture) : PacketSender {
    private val native = Memory(65536)
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
            val r = sendOne(batch.buffer(i), batch.length(i))
            if (r == REFUSED) {
                refused++
                break
            }
            if (r == SENT) sent++ else failed++
            i++
        }
        i
    }

    /** [SENT], [REFUSED] for now (buffer space), [FAILED] for this frame; throws when the interface is unusable. */
    private fun sendOne(bytes: ByteArray, len: Int): Int {
        val fd = capture.fd
        if (fd < 0) return classify(capture.sendThroughPcap4j(bytes, len) ?: return SENT)
        native.write(0, bytes, 0, len)
        repeat(3) { // bounded: EINTR retries
            if (LibC.send(fd, native, len.toLong(), 0) >= 0) return SENT
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

    private fun classify(message: String): Int = when {
        message.contains("No buffer space") || message.contains("Resource temporarily unavailable") || message.contains("Interrupted") -> REFUSED
        message.contains("Network is down") || message.contains("No such device") || message.contains("not permitted") ->
            throw PacketIoException("send on ${capture.interfaceName} failed: ${Pcap.explain(message)}")
        else -> FAILED
    }

    override fun close() {
        closed = true
        lock.write { }
    }

    private companion object {
        const val SENT = 0
        const val REFUSED = 1
        const val FAILED = 2
    }
}
