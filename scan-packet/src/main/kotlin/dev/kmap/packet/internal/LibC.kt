package dev.kmap.packet.internal

import com.sun.jna.Native
import com.sun.jna.Platform
import com.sun.jna.Pointer

/**
 * The few libc calls kmap needs, by JNA direct mapping (native methods bound once; no per-call
 * reflection or argument boxing). Linux, 64-bit. `errno` after a failed call: [Native.getLastError].
 */
internal object LibC {
    const val AF_INET = 2
    const val AF_INET6 = 10
    const val SOCK_RAW = 3
    const val IPPROTO_RAW = 255
    const val SOL_SOCKET = 1
    const val SO_SNDBUF = 7
    const val SO_SNDBUFFORCE = 32
    const val MSG_DONTWAIT = 0x40
    const val POLLIN: Short = 1
    const val EPERM = 1
    const val EINTR = 4
    const val EAGAIN = 11
    const val EACCES = 13
    const val ENOBUFS = 105
    const val ENETDOWN = 100
    const val ENODEV = 19
    const val ENXIO = 6

    init {
        Native.register(LibC::class.java, Platform.C_LIBRARY_NAME)
    }

    @JvmStatic external fun socket(domain: Int, type: Int, protocol: Int): Int

    @JvmStatic external fun send(fd: Int, buf: Pointer, len: Long, flags: Int): Long

    @JvmStatic external fun sendto(fd: Int, buf: Pointer, len: Long, flags: Int, addr: Pointer, addrlen: Int): Long

    @JvmStatic external fun close(fd: Int): Int

    @JvmStatic external fun poll(fds: Pointer, nfds: Long, timeoutMillis: Int): Int

    @JvmStatic external fun setsockopt(fd: Int, level: Int, name: Int, value: IntArray, len: Int): Int

    @JvmStatic external fun strerror(errnum: Int): String?

    /** `strerror(errno)`, e.g. "Operation not permitted". */
    fun errorText(errno: Int): String = try {
        strerror(errno) ?: "errno $errno"
    } catch (_: Throwable) {
        "errno $errno"
    }
}
