package dev.kmap.engine.internal

import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Platform
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.engine.internal.ConnectVerdicts.EALREADY
import dev.kmap.engine.internal.ConnectVerdicts.ECONNREFUSED
import dev.kmap.engine.internal.ConnectVerdicts.EINPROGRESS
import dev.kmap.engine.internal.ConnectVerdicts.EISCONN
import dev.kmap.packet.internal.LibC
import dev.kmap.packet.internal.LibC.AF_INET
import dev.kmap.packet.internal.LibC.AF_INET6
import java.io.IOException
import java.net.Inet6Address
import java.net.InetAddress

/**
 * The connect scan by direct syscalls (scan-packet's [LibC]): per probe `socket(SOCK_NONBLOCK|SOCK_CLOEXEC)`
 * and `connect()` from one reused sockaddr buffer; the rest wait in one epoll set, read back with
 * `SO_ERROR`. Nothing is allocated per probe: the probe's descriptor is its key ([ProbesByFd]).
 * The same verdicts as [ConnectSession] (see [ConnectVerdicts.ofErrno]):
 * - `connect()` failing at once decides by its errno (ENETUNREACH: no route); a shortage (out
 *   of descriptors, source ports, buffers: [ConnectVerdicts.isShortage]) is [SendResult.BUSY],
 *   unless this session has nothing in flight (then no connection of ours will end it: `error`);
 * - EINPROGRESS: on loopback and the machine's own addresses the kernel has already settled the
 *   handshake when `connect()` returns, and a second `connect()` tells (0/EISCONN: established,
 *   EALREADY: in flight, else the failure's errno), saving the epoll round. That check is made
 *   while it pays: after misses it is tried on ever fewer probes (down to one in [MAX_SKIP]);
 * - an established connection is closed, never open, when it connected to itself (`getsockname`
 *   = the target: the kernel picked the target port as the source, TCP simultaneous open), and
 *   is closed with SO_LINGER 0 (RST, no TIME_WAIT);
 * - a socket refused by that second `connect()` is kept for the next probe of its family instead of
 *   closed: the kernel has put it back in its first state (unconnected, no error pending, its
 *   source port released), so a scan of closed ports costs two `connect()` calls per port and
 *   no `socket()` or `close()`. (One settled through epoll is closed: `SO_ERROR` leaves it half
 *   reset, and its next `connect()` would fail.)
 *
 * [openSocket] is a seam for tests: it returns the descriptor of the probe's socket, or -errno.
 * [poll] waits in slices of at most [SLICE_MILLIS] and returns early once its thread is interrupted;
 * it hands over every connection already settled, in batches of [MAX_EVENTS], not only the first batch.
 */
@OptIn(InternalKmapApi::class)
internal class NativeConnectSession(
    override val capacity: Int,
    private val openSocket: (Probe) -> Int = ::defaultSocket,
    /** Whether `send` may settle a connect at once (the second `connect()`); off, every probe waits in epoll (a seam for tests). */
    private val settleAtOnce: Boolean = true,
) : ProbeSession {
    private val epfd: Int = LibC.epollCreate1(LibC.EPOLL_CLOEXEC).also {
        if (it < 0) throw IOException("epoll_create1 failed (errno ${Native.getLastError()})")
    }
    private val inFlight = ProbesByFd()
    private val sockaddr = Memory(SOCKADDR_SIZE).also { it.clear() }
    private var sockaddrOf: InetAddress? = null
    private val local = Memory(SOCKADDR_SIZE)
    private val intValue = Memory(4)
    private val intLength = Memory(4)
    private val linger = intArrayOf(1, 0) // struct linger { l_onoff = 1, l_linger = 0 }
    private val ctlEvent = Memory(LibC.EPOLL_EVENT_SIZE.toLong()).also { it.clear() }
    private val events = Memory(LibC.EPOLL_EVENT_SIZE.toLong() * MAX_EVENTS)

    // verdicts reached in send(), handed over by the next poll (reused lists: no allocation once grown)
    private val decided = ArrayList<Probe>()
    private val decidedVerdicts = ArrayList<Verdict>()

    private var checkSkip = 0
    private var checkCountdown = 0

    // sockets refused at once, kept for the next probes of their family (see the class's KDoc)
    private val spares4 = Spares()
    private val spares6 = Spares()

    private fun sparesOf(probe: Probe): Spares = if (probe.address is Inet6Address) spares6 else spares4

    override fun send(probe: Probe): SendResult {
        var fd = sparesOf(probe).pop()
        if (fd < 0) fd = openSocket(probe)
        if (fd < 0) {
            if (ConnectVerdicts.isShortage(-fd)) return SendResult.BUSY
            return decide(probe, ConnectVerdicts.ERROR) // EAFNOSUPPORT (IPv6 off), a policy: it will not pass
        }
        val length = writeSockaddr(probe)
        if (LibC.connect(fd, sockaddr, length) == 0) return decide(probe, established(fd, probe))
        val errno = Native.getLastError()
        if (errno != EINPROGRESS) return failed(fd, probe, errno)
        if (settleAtOnce && checkCountdown-- <= 0) {
            checkCountdown = checkSkip
            val again = if (LibC.connect(fd, sockaddr, length) == 0) 0 else Native.getLastError()
            if (again != EALREADY) {
                checkSkip = 0
                if (again == 0 || again == EISCONN) return decide(probe, established(fd, probe))
                if (again == ECONNREFUSED && sparesOf(probe).push(fd)) return decide(probe, ConnectVerdicts.REFUSED)
                return failed(fd, probe, again)
            }
            checkSkip = minOf(checkSkip * 2 + 1, MAX_SKIP)
        }
        ctlEvent.setInt(0, LibC.EPOLLOUT)
        ctlEvent.setLong(LibC.EPOLL_DATA_OFFSET, fd.toLong())
        if (LibC.epollCtl(epfd, LibC.EPOLL_CTL_ADD, fd, ctlEvent) != 0) {
            LibC.close(fd) // ENOMEM / ENOSPC (max_user_watches): a shortage
            return SendResult.BUSY
        }
        inFlight.put(fd, probe)
        probe.handle = fd
        return SendResult.SENT
    }

    /** `connect()` of [fd] failed with [errno]: a verdict, or BUSY for a shortage while connections of ours are in flight. */
    private fun failed(fd: Int, probe: Probe, errno: Int): SendResult {
        LibC.close(fd)
        val verdict = ConnectVerdicts.ofErrno(errno) ?: if (inFlight.size == 0) ConnectVerdicts.ERROR else return SendResult.BUSY
        return decide(probe, verdict)
    }

    private fun decide(probe: Probe, verdict: Verdict): SendResult {
        decided += probe
        decidedVerdicts += verdict
        return SendResult.SENT
    }

    /** Writes [probe]'s target into [sockaddr] (the address only when it changed); returns the sockaddr's length. */
    private fun writeSockaddr(probe: Probe): Int {
        val address = probe.address
        val v6 = address is Inet6Address
        if (address !== sockaddrOf) {
            sockaddr.clear()
            val bytes = address.address
            if (v6) {
                sockaddr.setShort(0, AF_INET6.toShort())
                sockaddr.write(8, bytes, 0, 16)
                sockaddr.setInt(24, (address as Inet6Address).scopeId)
            } else {
                sockaddr.setShort(0, AF_INET.toShort())
                sockaddr.write(4, bytes, 0, 4)
            }
            sockaddrOf = address
        }
        sockaddr.setByte(2, (probe.port ushr 8).toByte()) // network byte order
        sockaddr.setByte(3, probe.port.toByte())
        return if (v6) SOCKADDR_IN6_SIZE else SOCKADDR_IN_SIZE
    }

    /** The verdict of [fd], connected to [probe]'s target, which it then closes with a reset. */
    private fun established(fd: Int, probe: Probe): Verdict {
        val self = connectedToItself(fd, probe)
        LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_LINGER, linger, 8)
        LibC.close(fd)
        return if (self) ConnectVerdicts.SELF_CONNECTED else ConnectVerdicts.OPEN
    }

    /** Whether [fd]'s local address is [probe]'s target itself (port first: a different one settles it). */
    private fun connectedToItself(fd: Int, probe: Probe): Boolean {
        intLength.setInt(0, SOCKADDR_SIZE.toInt())
        if (LibC.getsockname(fd, local, intLength) != 0) return false
        val port = ((local.getByte(2).toInt() and 0xff) shl 8) or (local.getByte(3).toInt() and 0xff)
        if (port != probe.port) return false
        val target = probe.address.address
        val offset = if (target.size == 16) 8L else 4L
        return local.getShort(0).toInt() == (if (target.size == 16) AF_INET6 else AF_INET) &&
            target.indices.all { local.getByte(offset + it) == target[it] }
    }

    override fun poll(timeoutNanos: Long, sink: ReplySink) {
        var waitMillis = if (timeoutNanos <= 0) 0L else ((timeoutNanos + 999_999) / 1_000_000).coerceAtLeast(1)
        if (decided.isNotEmpty()) {
            for (i in decided.indices) sink.reply(decided[i], decidedVerdicts[i])
            decided.clear()
            decidedVerdicts.clear()
            waitMillis = 0
        }
        while (true) {
            val slice = minOf(waitMillis, SLICE_MILLIS)
            val n = LibC.epollWait(epfd, events, MAX_EVENTS, slice.toInt())
            if (n < 0 && Native.getLastError() != LibC.EINTR) throw IOException("epoll_wait failed (errno ${Native.getLastError()})")
            for (i in 0 until n) {
                val fd = events.getLong(i.toLong() * LibC.EPOLL_EVENT_SIZE + LibC.EPOLL_DATA_OFFSET).toInt()
                val probe = inFlight.remove(fd) ?: continue
                probe.handle = -1
                sink.reply(probe, settled(fd, probe))
            }
            // a full batch may have left more ready: they are taken now, at no wait (the loop calls
            // probes lost after a look that must see every answer already here)
            if (n == MAX_EVENTS) { waitMillis = 0; continue }
            waitMillis -= slice
            if (n > 0 || waitMillis <= 0 || Thread.currentThread().isInterrupted) return
        }
    }

    /** The verdict of [fd], whose connect finished (epoll said so), which it closes. */
    private fun settled(fd: Int, probe: Probe): Verdict {
        intLength.setInt(0, 4)
        val error = if (LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ERROR, intValue, intLength) == 0) intValue.getInt(0) else Native.getLastError()
        if (error == 0) return established(fd, probe)
        LibC.close(fd)
        return ConnectVerdicts.ofErrno(error) ?: ConnectVerdicts.ERROR // a shortage after the SYN went out: no verdict to wait for
    }

    override fun abandon(probe: Probe) {
        val fd = probe.handle
        if (fd < 0 || inFlight[fd] !== probe) return
        inFlight.remove(fd)
        probe.handle = -1
        LibC.close(fd) // also leaves the epoll set
    }

    override fun close() {
        inFlight.drain { LibC.close(it) }
        spares4.closeAll()
        spares6.closeAll()
        LibC.close(epfd)
    }

    /** Refused sockets of one family, kept for its next probes: a stack of at most [MAX_SPARE]. */
    private class Spares {
        private val fds = IntArray(MAX_SPARE)
        private var size = 0

        /** A kept socket, or -1 when none is. */
        fun pop(): Int = if (size > 0) fds[--size] else -1

        /** Keeps [fd]; false when [MAX_SPARE] are kept already (the caller closes it). */
        fun push(fd: Int): Boolean {
            if (size == MAX_SPARE) return false
            fds[size++] = fd
            return true
        }

        fun closeAll() {
            for (i in 0 until size) LibC.close(fds[i])
            size = 0
        }
    }

    companion object {
        const val MAX_EVENTS = 256
        const val SLICE_MILLIS = 20L
        const val MAX_SKIP = 63
        const val MAX_SPARE = 8
        private const val SOCKADDR_IN_SIZE = 16
        private const val SOCKADDR_IN6_SIZE = 28
        private const val SOCKADDR_SIZE = 28L
        private const val STREAM = LibC.SOCK_STREAM or LibC.SOCK_NONBLOCK or LibC.SOCK_CLOEXEC

        /** A non-blocking TCP socket of [probe]'s family: its descriptor, or -errno. */
        fun defaultSocket(probe: Probe): Int {
            val fd = LibC.socket(if (probe.address is Inet6Address) AF_INET6 else AF_INET, STREAM, 0)
            return if (fd >= 0) fd else -Native.getLastError()
        }

        /** Null when this session works in this process, else why not (64-bit Linux, JNA, libc, epoll). */
        val unavailableReason: String? by lazy {
            try {
                // the sockaddr and epoll_event layouts here are 64-bit Linux's
                if (!Platform.isLinux() || !Platform.is64Bit()) return@lazy "native connect needs 64-bit Linux (os ${Platform.getOSType()}, arch ${Platform.ARCH})"
                val ep = LibC.epollCreate1(LibC.EPOLL_CLOEXEC)
                if (ep < 0) "epoll_create1 failed (errno ${Native.getLastError()})" else null.also { LibC.close(ep) }
            } catch (e: Throwable) { // ExceptionInInitializerError, UnsatisfiedLinkError, NoClassDefFoundError
                "native connect unavailable: ${e.message ?: e.javaClass.simpleName}"
            }
        }
    }
}
