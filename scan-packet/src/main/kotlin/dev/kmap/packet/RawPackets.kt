@file:OptIn(InternalKmapApi::class)

package dev.kmap.packet

import com.sun.jna.Native
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.internal.LibC
import dev.kmap.packet.internal.NativeSearchPath
import dev.kmap.packet.internal.Pcap
import org.pcap4j.core.Pcaps

/**
 * Whether raw packets work in this process: Linux, libpcap loadable, and a raw socket can be
 * opened (root or CAP_NET_RAW). Probe modules report [unavailableReason] from
 * `ProbeModule.unavailableReason()`.
 *
 * ```kotlin
 * RawPackets.unavailableReason()?.let { reason -> println("SYN scan unavailable: $reason") }
 * ```
 */
public object RawPackets {
    /**
     * Null when raw packets work here, otherwise why not in one line, e.g.
     * "raw packets need root or CAP_NET_RAW (socket: Operation not permitted)" or
     * "libpcap is missing: install libpcap0.8". Opens and closes one raw socket.
     *
     * ```kotlin
     * check(RawPackets.unavailableReason() == null)
     * ```
     */
    public fun unavailableReason(): String? = NativeSearchPath.prepare().let { reason(
        osName = System.getProperty("os.name") ?: "",
        libpcapError = ::libpcapError,
        rawSocketErrno = ::rawSocketErrno,
    ) }

    /** The decision, apart from the machine, for tests. [rawSocketErrno] is 0 when a raw socket opened. */
    internal fun reason(osName: String, libpcapError: () -> Throwable?, rawSocketErrno: () -> Int): String? {
        if (!osName.startsWith("Linux")) return "raw packets are supported on Linux only (os.name=$osName)"
        if (libpcapError() != null) return Pcap.LIBPCAP_MISSING
        val errno = rawSocketErrno()
        return when {
            errno == 0 -> null
            errno == LibC.EPERM || errno == LibC.EACCES -> "raw packets need root or CAP_NET_RAW (socket: ${LibC.errorText(errno)})"
            errno < 0 -> "raw sockets are unavailable (JNA cannot call libc)"
            else -> "raw sockets are unavailable (socket: ${LibC.errorText(errno)})"
        }
    }

    private fun libpcapError(): Throwable? = try {
        Pcaps.libVersion()
        null
    } catch (e: Throwable) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
        e
    }

    private fun rawSocketErrno(): Int = try {
        val fd = LibC.socket(LibC.AF_INET, LibC.SOCK_RAW, LibC.IPPROTO_RAW)
        if (fd >= 0) {
            LibC.close(fd)
            0
        } else {
            Native.getLastError().takeIf { it > 0 } ?: LibC.EPERM
        }
    } catch (_: Throwable) {
        -1
    }
}
