package dev.kmap.cli

import com.sun.jna.Memory
import com.sun.jna.Native
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.internal.LibC

/** What [WarmStart] does with a Unix socket on top of scan-packet's [LibC]: its address, waiting, whole reads and writes. */
@OptIn(InternalKmapApi::class)
internal object UnixSockets {
    /** `struct sockaddr_un`: a family and 108 bytes of path. */
    const val SOCKADDR_UN_SIZE = 110

    /** `struct sockaddr_un` for [path] (at most 107 bytes), or null when it is too long. */
    fun address(path: String): Memory? {
        val bytes = path.toByteArray()
        if (bytes.size >= SOCKADDR_UN_SIZE - 2) return null
        return Memory(SOCKADDR_UN_SIZE.toLong()).apply {
            clear()
            setShort(0, LibC.AF_UNIX.toShort())
            write(2, bytes, 0, bytes.size)
        }
    }

    /** Waits up to [timeoutMillis] for [fd] to be readable: true when it is (or has hung up). */
    fun readable(fd: Int, timeoutMillis: Int): Boolean {
        val pfd = Memory(8).apply { clear(); setInt(0, fd); setShort(4, LibC.POLLIN) }
        while (true) {
            val n = LibC.poll(pfd, 1, timeoutMillis)
            if (n >= 0) return n > 0
            if (Native.getLastError() != LibC.EINTR) return false
        }
    }

    /** Reads exactly [count] bytes from [fd], each wait at most [timeoutMillis]; null on EOF, error or timeout. */
    fun readFully(fd: Int, count: Int, timeoutMillis: Int): ByteArray? {
        val buf = Memory(count.toLong().coerceAtLeast(1))
        var got = 0
        while (got < count) {
            if (!readable(fd, timeoutMillis)) return null
            val n = LibC.read(fd, buf.share(got.toLong()), (count - got).toLong())
            if (n == 0L) return null
            if (n < 0) {
                if (Native.getLastError() == LibC.EINTR) continue
                return null
            }
            got += n.toInt()
        }
        return buf.getByteArray(0, count)
    }

    /** Writes all of [bytes] to [fd]; false on an error (a client that went away). */
    fun writeFully(fd: Int, bytes: ByteArray): Boolean {
        val buf = Memory(bytes.size.toLong().coerceAtLeast(1)).apply { write(0, bytes, 0, bytes.size) }
        var done = 0
        while (done < bytes.size) {
            val n = LibC.write(fd, buf.share(done.toLong()), (bytes.size - done).toLong())
            if (n < 0) {
                if (Native.getLastError() == LibC.EINTR) continue
                return false
            }
            done += n.toInt()
        }
        return true
    }
}
