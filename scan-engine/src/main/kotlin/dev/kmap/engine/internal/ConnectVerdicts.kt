package dev.kmap.engine.internal

import dev.kmap.engine.PortState
import dev.kmap.engine.Verdict

/**
 * The connect scan's verdicts, shared by its two sessions ([NativeConnectSession], [ConnectSession]),
 * and the verdict of a failed `connect(2)` by its errno ([ofErrno]).
 */
internal object ConnectVerdicts {
    val OPEN = Verdict(PortState.OPEN, "syn-ack", hostResponded = true)
    val REFUSED = Verdict(PortState.CLOSED, "conn-refused", hostResponded = true)

    /** Connected to itself: nobody listens (nmap, whose raw SYN cannot meet itself, sees a refusal). */
    val SELF_CONNECTED = Verdict(PortState.CLOSED, "conn-refused", hostResponded = true)
    val HOST_UNREACHABLE = Verdict(PortState.FILTERED, "host-unreach", hostResponded = false)
    val NET_UNREACHABLE = Verdict(PortState.FILTERED, "net-unreach", hostResponded = false)
    val TIMED_OUT = Verdict(PortState.FILTERED, "no-response", hostResponded = false)
    val ERROR = Verdict(PortState.FILTERED, "error", hostResponded = false)

    // Linux errno values (asm-generic/errno-base.h, errno.h: the same on x86-64 and aarch64)
    const val EAGAIN = 11
    const val ENOMEM = 12
    const val ENFILE = 23
    const val EMFILE = 24
    const val EADDRNOTAVAIL = 99
    const val ENETUNREACH = 101
    const val ENOBUFS = 105
    const val EISCONN = 106
    const val ETIMEDOUT = 110
    const val ECONNREFUSED = 111
    const val EHOSTUNREACH = 113
    const val EALREADY = 114
    const val EINPROGRESS = 115

    /** Whether [errno] means "out of a resource for now" (descriptors, source ports, buffers, memory): back-pressure, never a verdict. */
    fun isShortage(errno: Int): Boolean = when (errno) {
        EMFILE, ENFILE, EADDRNOTAVAIL, ENOBUFS, EAGAIN, ENOMEM -> true
        else -> false
    }

    /**
     * The verdict of a connect that failed with [errno] (from `connect(2)` or `SO_ERROR`); null for
     * a shortage ([isShortage]). ICMP errors arrive as errnos too: port unreachable as ECONNREFUSED,
     * host/admin-prohibited (IPv4) as EHOSTUNREACH, no route as ENETUNREACH, IPv6 admin-prohibited as
     * EACCES (an error, as in the NIO session).
     */
    fun ofErrno(errno: Int): Verdict? = when (errno) {
        ECONNREFUSED -> REFUSED
        EHOSTUNREACH -> HOST_UNREACHABLE
        ENETUNREACH -> NET_UNREACHABLE
        ETIMEDOUT -> TIMED_OUT
        else -> if (isShortage(errno)) null else ERROR
    }
}
