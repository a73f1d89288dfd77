@file:OptIn(InternalKmapApi::class)

package dev.kmap.packet.internal

import com.sun.jna.Memory
import com.sun.jna.Native
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIoException
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write

/**
 * Sends bare IPv4/IPv6 packets through raw sockets (`socket(AF_INET[6], SOCK_RAW, IPPROTO_RAW)`,
 * which implies IP_HDRINCL: our header goes out as built) with `sendto(MSG_DONTWAIT)`. The
 * kernel routes each packet by its destination. One socket per family, opened on first use.
 */
internal class RawSocketSender : PacketSender {
    private var fd4 = -1
    private var fd6 = -1
    private val native = Memory(65536)
    private val addr4 = Memory(16).also { it.clear(); it.setShort(0, LibC.AF_INET.toShort()) }
    private val addr6 = Memory(28).also { it.clear(); it.setShort(0, LibC.AF_INET6.toShort()) }
    private val lock = ReentrantReadWriteLock()

    @Volatile
    private var closed = false

    @Volatile override var sent: Long = 0
        private set

    @Volatile override var refused: Long = 0
        private set

    @Volatile override var failed: Long = 0
        private set

    /** Opens the socket of one family now, to fail early (privileges) rather than at the first send. */
    fun openSocket(v6: Boolean) {
        lock.read { socketFor(v6) }
    }

    override fun send(batch: PacketBatch): Int = lock.read {
        var i = 0
        while (i < batch.size && !closed) {
            val b = batch.buffer(i)
            val len = batch.length(i)
            val r = sendOne(b, len)
            if (r == REFUSED) {
                refused++
                break
            }
            if (r == SENT) sent++ else failed++
            i++
        }
        i
    }

    private fun sendOne(b: ByteArray, len: Int): Int {
        val version = if (len > 0) (b[0].toInt() and 0xf0) ushr 4 else 0
        val fd: Int
        val addr: Memory
        val addrLen: Int
        when {
            version == 4 && len >= 20 -> {
                fd = socketFor(false); addr = addr4; addrLen = 16
                addr.write(4, b, 16, 4)
            }
            version == 6 && len >= 40 -> {
                fd = socketFor(true); addr = addr6; addrLen = 28
                addr.write(8, b, 24, 16)
            }
            else -> throw PacketIoException("not an IPv4 or IPv6 packet (a raw IP socket sends IP packets, not frames)")
        }
        native.write(0, b, 0, len)
        repeat(3) { // bounded: EINTR retries
            val r = LibC.sendto(fd, native, len.toLong(), LibC.MSG_DONTWAIT, addr, addrLen)
            if (r >= 0) return SENT
            when (Native.getLastError()) {
                LibC.EINTR -> {}
                LibC.EAGAIN, LibC.ENOBUFS -> return REFUSED
                else -> return FAILED
            }
        }
        return REFUSED
    }

    private fun socketFor(v6: Boolean): Int {
        if (closed) throw PacketIoException("raw socket sender is closed")
        val existing = if (v6) fd6 else fd4
        if (existing >= 0) return existing
        val fd = LibC.socket(if (v6) LibC.AF_INET6 else LibC.AF_INET, LibC.SOCK_RAW, LibC.IPPROTO_RAW)
        if (fd < 0) {
            val errno = Native.getLastError()
            val hint = if (errno == LibC.EPERM || errno == LibC.EACCES) "raw packets need root or CAP_NET_RAW " else ""
            throw PacketIoException("$hint(socket: ${LibC.errorText(errno)})".trim())
        }
        // a bigger send buffer absorbs bursts; SO_SNDBUFFORCE works for root, SO_SNDBUF up to wmem_max otherwise
        val size = intArrayOf(4 shl 20)
        if (LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, size, 4) != 0) LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, size, 4)
        if (v6) fd6 = fd else fd4 = fd
        return fd
    }

    override fun close() {
        closed = true
        lock.write {
            if (fd4 >= 0) LibC.close(fd4)
            if (fd6 >= 0) LibC.close(fd6)
            fd4 = -1
            fd6 = -1
        }
    }

    private companion object {
        const val SENT = 0
        const val REFUSED = 1
        const val FAILED = 2
    }
}
