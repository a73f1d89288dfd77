package dev.kmap.engine.internal

import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.engine.internal.ConnectVerdicts.ERROR
import dev.kmap.engine.internal.ConnectVerdicts.HOST_UNREACHABLE
import dev.kmap.engine.internal.ConnectVerdicts.NET_UNREACHABLE
import dev.kmap.engine.internal.ConnectVerdicts.OPEN
import dev.kmap.engine.internal.ConnectVerdicts.REFUSED
import dev.kmap.engine.internal.ConnectVerdicts.SELF_CONNECTED
import dev.kmap.engine.internal.ConnectVerdicts.TIMED_OUT
import dev.kmap.packet.RouteResolver
import java.io.File
import java.io.IOException
import java.net.BindException
import java.net.ConnectException
import java.net.Inet6Address
import java.net.InetSocketAddress
import java.net.NoRouteToHostException
import java.net.SocketException
import java.net.StandardProtocolFamily
import java.net.StandardSocketOptions
import java.nio.channels.SelectionKey
import java.nio.channels.Selector
import java.nio.channels.SocketChannel

/**
 * One selector, one non-blocking channel per probe in flight: the portable fallback of
 * [NativeConnectSession] (chosen by [ConnectSessions]), with the same verdicts. See [dev.kmap.engine.ConnectScanModule].
 *
 * Errors are classified by kind, never by message text (the JDK's messages are `strerror`'s, in
 * the process's locale): the JDK maps ECONNREFUSED (and ETIMEDOUT, ENOTCONN) to [ConnectException],
 * EHOSTUNREACH to [NoRouteToHostException], EADDRINUSE / EADDRNOTAVAIL / EACCES to
 * [BindException], everything else to a plain [SocketException]. Out of descriptors (EMFILE,
 * ENFILE, when the channel opens) or source ports (EADDRNOTAVAIL) is back-pressure, never a verdict.
 * A plain [SocketException] from `connect(2)` itself is ENETUNREACH when the kernel has no route
 * to the target (checked in its tables), else a passing shortage (ENOBUFS): back-pressure again.
 *
 * A connect to a port in the ephemeral range of this very machine can connect to itself: the
 * kernel picks that port as the source, and the SYN meets itself (TCP simultaneous open). Such a
 * connection has local address = remote address; it proves nobody listens: closed, never open.
 */
internal class ConnectSession(
    override val capacity: Int,
    private val routes: () -> RouteResolver = { RouteResolver.system() },
    private val clock: () -> Long = System::nanoTime,
    /** Opens the channel for a probe (a seam for tests); the default opens one of the target's family. */
    private val openChannel: (Probe) -> SocketChannel = { p ->
        // a socket of the target's own family: no dual-stack setsockopt per probe
        SocketChannel.open(if (p.address is Inet6Address) StandardProtocolFamily.INET6 else StandardProtocolFamily.INET)
    },
) : ProbeSession {
    private val selector: Selector = Selector.open()
    private val immediate = ArrayList<Pair<Probe, Verdict>>()
    private val routeSnapshot by lazy { runCatching(routes).getOrNull() }

    override fun send(probe: Probe): SendResult {
        val channel = try {
            openChannel(probe)
        } catch (e: IOException) {
            return SendResult.BUSY // out of file descriptors (EMFILE/ENFILE) or buffers: back off
        }
        try {
            channel.configureBlocking(false)
            // On a LAN the kernel has often processed the answer before connect() returns: one
            // poll then decides the port without registering with the selector at all.
            if (channel.connect(InetSocketAddress(probe.address, probe.port)) || channel.finishConnect()) {
                immediate += probe to established(channel)
            } else {
                probe.attachment = channel.register(selector, SelectionKey.OP_CONNECT, probe)
            }
        } catch (e: IOException) {
            channel.close()
            // a shortage passes as connections in flight end; with none in flight it is no shortage
            val shortage = if (selector.keys().isEmpty()) ERROR else null
            val verdict = when {
                e is BindException -> shortage // EADDRNOTAVAIL: out of source ports (EACCES: a broadcast address)
                e is SocketException && e.javaClass == SocketException::class.java -> if (unroutable(probe)) NET_UNREACHABLE else shortage
                else -> classify(e, clock() - probe.sentAtNanos)
            } ?: return SendResult.BUSY
            immediate += probe to verdict
        }
        return SendResult.SENT
    }

    /** The verdict of a connection that came up: open, unless it connected to itself. */
    private fun established(channel: SocketChannel): Verdict {
        val self = runCatching { channel.localAddress == channel.remoteAddress }.getOrDefault(false)
        reset(channel)
        return if (self) SELF_CONNECTED else OPEN
    }

    /** Whether the kernel has no route to [probe]'s address (ENETUNREACH), from its tables. */
    private fun unroutable(probe: Probe): Boolean {
        val routes = routeSnapshot ?: return false
        return runCatching { routes.route(probe.ip) == null }.getOrDefault(false)
    }

    override fun poll(timeoutNanos: Long, sink: ReplySink) {
        if (immediate.isNotEmpty()) {
            immediate.forEach { (p, v) -> sink.reply(p, v) }
            immediate.clear()
            selector.selectNow()
        } else if (timeoutNanos <= 0) {
            selector.selectNow()
        } else {
            // select(ms) takes milliseconds and 0 means forever: round up to at least 1 ms
            selector.select(((timeoutNanos + 999_999) / 1_000_000).coerceAtLeast(1))
        }
        val keys = selector.selectedKeys()
        for (key in keys) {
            val probe = key.attachment() as Probe
            val channel = key.channel() as SocketChannel
            val verdict = try {
                if (channel.finishConnect()) established(channel) else continue
            } catch (e: IOException) {
                classify(e, clock() - probe.sentAtNanos)
            }
            key.cancel()
            channel.close()
            probe.attachment = null
            sink.reply(probe, verdict)
        }
        keys.clear()
    }

    override fun abandon(probe: Probe) {
        val key = probe.attachment as? SelectionKey ?: return
        probe.attachment = null
        key.cancel()
        key.channel().close()
    }

    override fun close() {
        for (key in selector.keys()) runCatching { key.channel().close() }
        selector.close()
    }

    /** Closes an established connection with RST (SO_LINGER 0): no FIN handshake, no TIME_WAIT. */
    private fun reset(channel: SocketChannel) {
        runCatching { channel.setOption(StandardSocketOptions.SO_LINGER, 0) }
        channel.close()
    }

    private companion object {
        /**
         * The kernel's own connect timeout (SYN retries, exponential from 1 s): a [ConnectException]
         * after that long is ETIMEDOUT, before it ECONNREFUSED (our probes time out far sooner).
         */
        private val kernelConnectTimeoutNanos: Long by lazy {
            val retries = runCatching { File("/proc/sys/net/ipv4/tcp_syn_retries").readText().trim().toInt() }.getOrDefault(6).coerceIn(1, 20)
            ((1L shl (retries + 1)) - 1) * 1_000_000_000L
        }

        /** The verdict for a failed connect, by the exception's kind; [elapsedNanos] since the probe went out. */
        fun classify(e: IOException, elapsedNanos: Long): Verdict = when (e) {
            is ConnectException -> if (elapsedNanos >= kernelConnectTimeoutNanos) TIMED_OUT else REFUSED
            is NoRouteToHostException -> HOST_UNREACHABLE
            is BindException -> ERROR // EACCES from an ICMPv6 "administratively prohibited", or a local policy
            is SocketException -> if (e.javaClass == SocketException::class.java) NET_UNREACHABLE else ERROR
            else -> ERROR
        }
    }
}
