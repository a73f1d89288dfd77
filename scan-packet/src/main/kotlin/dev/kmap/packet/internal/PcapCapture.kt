@file:OptIn(InternalKmapApi::class)

package dev.kmap.packet.internal

import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Pointer
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.LinkType
import dev.kmap.packet.PacketIoException
import dev.kmap.packet.PacketIoOptions
import dev.kmap.packet.PacketSink
import org.pcap4j.core.PcapHandle
import org.pcap4j.core.PcapNativeException
import java.util.concurrent.locks.LockSupport
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write

/**
 * The receive half of the pcap-based packet I/O: a non-blocking libpcap handle read with
 * `pcap_next_ex` into one reused buffer, waiting in `poll(2)` on its selectable descriptor in
 * slices of at most [MAX_WAIT_MILLIS] under our own deadline (`pcap_next_ex` in blocking mode
 * may never return). Reading holds a read lock only while draining; changing the filter and
 * closing take the write lock, so they wait for at most one drain, never for a whole timeout.
 */
internal class PcapCapture(val interfaceName: String, options: PacketIoOptions) : AutoCloseable {
    private val handle: PcapHandle = Pcap.open(interfaceName, options)
    val linkType: LinkType
    private val pcap: Pointer?

    /** The packet socket under the handle (-1 if pcap4j's layout hides it); [CaptureSocketSender] sends on it. */
    val fd: Int
    private val outs = Memory(16) // pcap_pkthdr* and const u_char* written by pcap_next_ex
    private val dataOut: Pointer = outs.share(8)
    private val view = Pointer(0) // re-pointed at the header, then the packet: no allocation per packet
    private val pollFd = Memory(8)
    private val buffer = ByteArray(options.snapLength)
    private val lock = ReentrantReadWriteLock()

    @Volatile
    private var closed = false

    @Volatile
    private var closeRequested = false

    @Volatile
    var received: Long = 0
        private set

    /** The last [receive] got packets: the next one naps before it waits in `poll` (see [STREAM_NAP_NANOS]). */
    private var streaming = false

    init {
        try {
            val dlt = handle.dlt.value()
            linkType = LinkType.ofDlt(dlt) ?: throw PacketIoException("$interfaceName has link type $dlt, which kmap cannot parse")
            pcap = Pcap.pointerOf(handle)
            fd = if (pcap != null) LibPcap.pcap_get_selectable_fd(pcap) else -1
            pollFd.setInt(0, fd)
            pollFd.setShort(4, LibC.POLLIN)
        } catch (e: Throwable) {
            handle.close()
            throw e
        }
    }

    /** Exclusive with reading: libpcap drains its ring when the filter changes. */
    fun setFilter(expression: String) = lock.write {
        if (closed) throw PacketIoException("$interfaceName is closed")
        Pcap.setFilter(handle, expression)
    }

    fun receive(timeoutNanos: Long, maxPackets: Int, sink: PacketSink): Int {
        require(timeoutNanos >= 0) { "timeout must not be negative: $timeoutNanos" }
        require(maxPackets >= 1) { "maxPackets must be positive: $maxPackets" }
        val deadline = System.nanoTime() + timeoutNanos
        var n = 0
        try {
            while (true) {
                // drain what is there under the lock; wait outside it, so setFilter and close get their turn
                lock.read {
                    if (closed) return n
                    while (n < maxPackets && !closed) {
                        val got = if (pcap != null) next(pcap, sink) else nextFallback(sink)
                        if (!got) break
                        n++
                    }
                }
                if (n > 0) return n
                val remaining = deadline - System.nanoTime()
                if (remaining <= 0 || closed) return n
                if (streaming) {
                    // packets came at the last turn: nap, then look again, instead of sleeping in
                    // poll(2), where the kernel would wake this thread for each next packet
                    streaming = false
                    LockSupport.parkNanos(minOf(remaining, STREAM_NAP_NANOS))
                } else {
                    waitReadable(remaining)
                }
            }
        } finally {
            if (n > 0) streaming = true
            received += n
            if (closeRequested) close()
        }
    }

    /** Reads one packet if one is there. */
    private fun next(p: Pointer, sink: PacketSink): Boolean {
        when (val r = LibPcap.pcap_next_ex(p, outs, dataOut)) {
            1 -> {
                Pointer.nativeValue(view, outs.getLong(0))
                val seconds = view.getLong(0)
                val micros = view.getLong(8)
                val caplen = minOf(view.getInt(16), buffer.size)
                Pointer.nativeValue(view, outs.getLong(8))
                view.read(0, buffer, 0, caplen)
                sink.packet(buffer, 0, caplen, seconds * 1_000_000_000 + micros * 1_000)
                return true
            }
            0, -2 -> return false
            else -> throw PacketIoException("capture on $interfaceName failed ($r): ${LibPcap.pcap_geterr(p)}")
        }
    }

    private fun nextFallback(sink: PacketSink): Boolean {
        val bytes = handle.nextRawPacket ?: return false
        val ts = handle.timestamp
        sink.packet(bytes, 0, bytes.size, if (ts == null) 0 else ts.time * 1_000_000 + ts.nanos % 1_000_000)
        return true
    }

    private fun waitReadable(remainingNanos: Long) {
        val millis = ((remainingNanos + 999_999) / 1_000_000).coerceIn(1, MAX_WAIT_MILLIS)
        if (fd < 0) {
            LockSupport.parkNanos(minOf(remainingNanos, 200_000))
            return
        }
        val r = LibC.poll(pollFd, 1, millis.toInt())
        if (r < 0 && Native.getLastError() != LibC.EINTR) LockSupport.parkNanos(minOf(remainingNanos, 1_000_000))
    }

    /** Sends one frame through pcap4j (the path when [fd] is unknown); null on success, else libpcap's message. */
    fun sendThroughPcap4j(bytes: ByteArray, len: Int): String? = try {
        handle.sendPacket(bytes, len)
        null
    } catch (e: PcapNativeException) {
        e.message ?: "send failed"
    }

    /** libpcap's count of packets dropped for lack of buffer space, -1 if unavailable. */
    fun dropped(): Long = lock.read {
        if (closed) return -1
        try {
            handle.stats.numPacketsDropped
        } catch (_: Exception) {
            -1
        }
    }

    override fun close() {
        closed = true
        if (lock.readHoldCount > 0) { // called from a sink, inside receive: receive closes on its way out
            closeRequested = true
            return
        }
        lock.write { if (handle.isOpen) handle.close() }
    }

    companion object {
        const val MAX_WAIT_MILLIS = 50L

        /**
         * While packets stream in, the reader naps this long between drains rather than wait in
         * `poll(2)`: a reader asleep there is woken by the kernel for nearly every packet (the
         * ring is read in immediate mode), which cost a /16 sweep ~11k wake-ups a second, each a
         * scheduler round trip on the sending CPU. A reply waits at most this much longer; the
         * first reply after a quiet spell none at all.
         */
        const val STREAM_NAP_NANOS = 1_000_000L
    }
}
