package dev.kmap.engine.internal

import com.sun.jna.Native
import com.sun.jna.Platform
import com.sun.jna.Pointer
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.NativeLibraries

/**
 * The libc calls of [NativeConnectSession], by JNA direct mapping (native methods bound once, no
 * per-call reflection or boxing), the engine's counterpart of scan-packet's internal `LibC`.
 * Linux, 64-bit; the epoll calls keep libc's names on the JVM (`@JvmName`), which JNA binds by.
 * `errno` after a failed call: [Native.getLastError]. Touching this object binds the methods; it
 * throws when libc or JNA's native part cannot load ([NativeConnectSession.unavailableReason]).
 */
@OptIn(InternalKmapApi::class)
internal object ConnectLibC {
    const val AF_INET = 2
    const val AF_INET6 = 10
    const val SOCK_STREAM = 1
    const val SOCK_NONBLOCK = 0x800
    const val SOCK_CLOEXEC = 0x80000
    const val SOL_SOCKET = 1
    const val SO_ERROR = 4
    const val SO_LINGER = 13
    const val EPOLL_CLOEXEC = 0x80000
    const val EPOLL_CTL_ADD = 1
    const val EPOLLOUT = 0x004
    const val EINTR = 4

    /** `struct epoll_event` is packed on x86-64 (12 bytes: u32 events, u64 data), naturally aligned elsewhere (16). */
    val EPOLL_EVENT_SIZE: Int = if (Platform.isIntel()) 12 else 16
    val EPOLL_DATA_OFFSET: Long = if (Platform.isIntel()) 4L else 8L

    init {
        check(Platform.isLinux() && Platform.is64Bit()) { "native connect needs 64-bit Linux (os ${Platform.getOSType()}, arch ${Platform.ARCH})" }
        NativeLibraries.prepare() // no ldconfig fork on the way to the first probe
        Native.register(ConnectLibC::class.java, Platform.C_LIBRARY_NAME)
    }

    @JvmStatic external fun socket(domain: Int, type: Int, protocol: Int): Int

    @JvmStatic external fun connect(fd: Int, addr: Pointer, addrlen: Int): Int

    @JvmStatic external fun bind(fd: Int, addr: Pointer, addrlen: Int): Int

    @JvmStatic external fun close(fd: Int): Int

    @JvmStatic external fun getsockopt(fd: Int, level: Int, name: Int, value: Pointer, len: Pointer): Int

    @JvmStatic external fun setsockopt(fd: Int, level: Int, name: Int, value: Pointer, len: Int): Int

    @JvmStatic external fun getsockname(fd: Int, addr: Pointer, len: Pointer): Int

    @JvmStatic @JvmName("epoll_create1") external fun epollCreate1(flags: Int): Int

    @JvmStatic @JvmName("epoll_ctl") external fun epollCtl(epfd: Int, op: Int, fd: Int, event: Pointer): Int

    @JvmStatic @JvmName("epoll_wait") external fun epollWait(epfd: Int, events: Pointer, maxEvents: Int, timeoutMillis: Int): Int
}
