package dev.kmap.cli

import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Platform
import com.sun.jna.Pointer

/**
 * The libc calls of [WarmStart] (a Unix socket, passing descriptors, `dup2`), by JNA direct
 * mapping. Linux, 64-bit (the struct offsets below are LP64's).
 */
internal object WarmLibC {
    const val AF_UNIX = 1
    const val SOCK_STREAM = 1
    const val SOCK_CLOEXEC = 0x80000
    const val SOL_SOCKET = 1
    const val SO_PEERCRED = 17
    const val SCM_RIGHTS = 1
    const val MSG_CTRUNC = 0x8
    const val POLLIN: Short = 1
    const val EINTR = 4
    const val EADDRINUSE = 98

    /** `struct sockaddr_un`: a family and 108 bytes of path. */
    const val SOCKADDR_UN_SIZE = 110

    init {
        Native.register(WarmLibC::class.java, Platform.C_LIBRARY_NAME)
    }

    @JvmStatic external fun socket(domain: Int, type: Int, protocol: Int): Int

    @JvmStatic external fun bind(fd: Int, addr: Pointer, addrlen: Int): Int

    @JvmStatic external fun connect(fd: Int, addr: Pointer, addrlen: Int): Int

    @JvmStatic external fun listen(fd: Int, backlog: Int): Int

    @JvmStatic external fun accept(fd: Int, addr: Pointer?, addrlen: Pointer?): Int

    @JvmStatic external fun poll(fds: Pointer, nfds: Long, timeoutMillis: Int): Int

    @JvmStatic external fun getsockopt(fd: Int, level: Int, name: Int, value: Pointer, len: Pointer): Int

    @JvmStatic external fun recvmsg(fd: Int, msg: Pointer, flags: Int): Long

    @JvmStatic external fun read(fd: Int, buf: Pointer, count: Long): Long

    @JvmStatic external fun write(fd: Int, buf: Pointer, count: Long): Long

    @JvmStatic external fun dup2(oldfd: Int, newfd: Int): Int

    @JvmStatic external fun close(fd: Int): Int

    @JvmStatic external fun umask(mask: Int): Int

    @JvmStatic external fun getuid(): Int

    /** `struct sockaddr_un` for [path] (at most 107 bytes), or null when it is too long. */
    fun unixAddress(path: String): Memory? {
        val bytes = path.toByteArray()
        if (bytes.size >= SOCKADDR_UN_SIZE - 2) return null
        return Memory(SOCKADDR_UN_SIZE.toLong()).apply {
            clear()
            setShort(0, AF_UNIX.toShort())
            write(2, bytes, 0, bytes.size)
        }
    }

    /** Waits up to [timeoutMillis] for [fd] to be readable: true when it is (or has hung up). */
    fun readable(fd: Int, timeoutMillis: Int): Boolean {
        val pfd = Memory(8).apply { clear(); setInt(0, fd); setShort(4, POLLIN) }
        while (true) {
            val n = poll(pfd, 1, timeoutMillis)
            if (n >= 0) return n > 0
            if (Native.getLastError() != EINTR) return false
        }
    }

    /** Reads exactly [count] bytes from [fd], each wait at most [timeoutMillis]; null on EOF, error or timeout. */
    fun readFully(fd: Int, count: Int, timeoutMillis: Int): ByteArray? {
        val buf = Memory(count.toLong().coerceAtLeast(1))
        var got = 0
        while (got < count) {
            if (!readable(fd, timeoutMillis)) return null
            val n = read(fd, buf.share(got.toLong()), (count - got).toLong())
            if (n == 0L) return null
            if (n < 0) {
                if (Native.getLastError() == EINTR) continue
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
            val n = write(fd, buf.share(done.toLong()), (bytes.size - done).toLong())
            if (n < 0) {
                if (Native.getLastError() == EINTR) continue
                return false
            }
            done += n.toInt()
        }
        return true
    }
}
