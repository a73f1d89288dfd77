package dev.kmap.packet.internal

import com.sun.jna.Native
import com.sun.jna.Platform
import com.sun.jna.Pointer
import dev.kmap.dsl.InternalKmapApi

/**
 * The libc calls kmap needs, by JNA direct mapping (native methods bound once; no per-call
 * reflection or argument boxing), for the packet I/O here and scan-engine's connect scan (hence
 * public, behind [InternalKmapApi]). Linux, 64-bit. `errno` after a failed call: [Native.getLastError].
 *
 * ```kotlin
 * val fd = LibC.socket(LibC.AF_INET, LibC.SOCK_STREAM or LibC.SOCK_NONBLOCK, 0)
 * ```
 */
@InternalKmapApi
public object LibC {
    public const val AF_UNIX: Int = 1
    public const val AF_INET: Int = 2
    public const val AF_INET6: Int = 10
    public const val SOCK_STREAM: Int = 1
    public const val SOCK_RAW: Int = 3
    public const val SOCK_NONBLOCK: Int = 0x800
    public const val SOCK_CLOEXEC: Int = 0x80000
    public const val IPPROTO_RAW: Int = 255
    public const val SOL_SOCKET: Int = 1
    public const val SO_ERROR: Int = 4
    public const val SO_SNDBUF: Int = 7
    public const val SO_LINGER: Int = 13
    public const val SO_SNDBUFFORCE: Int = 32
    public const val SO_PEERCRED: Int = 17
    public const val SCM_RIGHTS: Int = 1
    public const val MSG_CTRUNC: Int = 0x8
    public const val MSG_CMSG_CLOEXEC: Int = 0x40000000
    public const val MSG_DONTWAIT: Int = 0x40
    public const val POLLIN: Short = 1
    public const val EPERM: Int = 1
    public const val EINTR: Int = 4
    public const val EAGAIN: Int = 11
    public const val EACCES: Int = 13
    public const val ENOBUFS: Int = 105
    public const val ENETDOWN: Int = 100
    public const val ENODEV: Int = 19
    public const val ENXIO: Int = 6
    public const val EADDRINUSE: Int = 98
    public const val EPOLL_CLOEXEC: Int = 0x80000
    public const val EPOLL_CTL_ADD: Int = 1
    public const val EPOLLOUT: Int = 0x004

    /** `struct epoll_event` is packed on x86-64 (12 bytes: u32 events, u64 data), naturally aligned elsewhere (16). */
    public val EPOLL_EVENT_SIZE: Int = if (Platform.isIntel()) 12 else 16
    public val EPOLL_DATA_OFFSET: Long = if (Platform.isIntel()) 4L else 8L

    init {
        NativeSearchPath.prepare()
        Native.register(LibC::class.java, Platform.C_LIBRARY_NAME)
    }

    @JvmStatic public external fun socket(domain: Int, type: Int, protocol: Int): Int

    @JvmStatic public external fun send(fd: Int, buf: Pointer, len: Long, flags: Int): Long

    @JvmStatic public external fun sendmmsg(fd: Int, msgvec: Pointer, vlen: Int, flags: Int): Int

    @JvmStatic public external fun sendto(fd: Int, buf: Pointer, len: Long, flags: Int, addr: Pointer, addrlen: Int): Long

    @JvmStatic public external fun close(fd: Int): Int

    @JvmStatic public external fun connect(fd: Int, addr: Pointer, addrlen: Int): Int

    @JvmStatic public external fun bind(fd: Int, addr: Pointer, addrlen: Int): Int

    @JvmStatic public external fun listen(fd: Int, backlog: Int): Int

    @JvmStatic public external fun accept(fd: Int, addr: Pointer?, addrlen: Pointer?): Int

    @JvmStatic public external fun recvmsg(fd: Int, msg: Pointer, flags: Int): Long

    @JvmStatic public external fun read(fd: Int, buf: Pointer, count: Long): Long

    @JvmStatic public external fun write(fd: Int, buf: Pointer, count: Long): Long

    @JvmStatic public external fun dup2(oldfd: Int, newfd: Int): Int

    @JvmStatic public external fun umask(mask: Int): Int

    @JvmStatic public external fun getuid(): Int

    @JvmStatic public external fun getsockopt(fd: Int, level: Int, name: Int, value: Pointer, len: Pointer): Int

    @JvmStatic public external fun getsockname(fd: Int, addr: Pointer, len: Pointer): Int

    @JvmStatic @JvmName("epoll_create1") public external fun epollCreate1(flags: Int): Int

    @JvmStatic @JvmName("epoll_ctl") public external fun epollCtl(epfd: Int, op: Int, fd: Int, event: Pointer): Int

    @JvmStatic @JvmName("epoll_wait") public external fun epollWait(epfd: Int, events: Pointer, maxEvents: Int, timeoutMillis: Int): Int

    @JvmStatic public external fun poll(fds: Pointer, nfds: Long, timeoutMillis: Int): Int

    @JvmStatic public external fun setsockopt(fd: Int, level: Int, name: Int, value: IntArray, len: Int): Int

    @JvmStatic public external fun strerror(errnum: Int): String?

    /** `strerror(errno)`, e.g. "Operation not permitted". */
    public fun errorText(errno: Int): String = try {
        strerror(errno) ?: "errno $errno"
    } catch (_: Throwable) {
        "errno $errno"
    }
}
