package dev.kmap.engine.internal

import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import java.io.IOException
import java.net.ConnectException
import java.net.Inet6Address
import java.net.InetSocketAddress
import java.net.NoRouteToHostException
import java.net.StandardProtocolFamily
import java.net.StandardSocketOptions
import java.nio.channels.SelectionKey
import java.nio.channels.Selector
import java.nio.channels.SocketChannel

/** One selector, one non-blocking channel per probe in flight. See [dev.kmap.engine.ConnectScanModule]. */
internal class ConnectSession(override val capacity: Int) : ProbeSession {
    private val selector: Selector = Selector.open()
    private val immediate = ArrayList<Pair<Probe, Verdict>>()

    override fun send(probe: Probe): SendResult {
        val channel = try {
            // a socket of the target's own family: no dual-stack setsockopt per probe
            SocketChannel.open(if (probe.address is Inet6Address) StandardProtocolFamily.INET6 else StandardProtocolFamily.INET)
        } catch (e: IOException) {
            return SendResult.BUSY // out of file descriptors (EMFILE/ENFILE) or buffers: back off
        }
        try {
            channel.configureBlocking(false)
            // On a LAN the kernel has often processed the answer before connect() returns: one
            // poll then decides the port without registering with the selector at all.
            if (channel.connect(InetSocketAddress(probe.address, probe.port)) || channel.finishConnect()) {
                immediate += probe to OPEN
                reset(channel)
            } else {
                probe.attachment = channel.register(selector, SelectionKey.OP_CONNECT, probe)
            }
        } catch (e: IOException) {
            channel.close()
            if (isResourceShortage(e)) return SendResult.BUSY
            immediate += probe to classify(e)
        }
        return SendResult.SENT
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
                if (channel.finishConnect()) OPEN else continue
            } catch (e: IOException) {
                classify(e)
            }
            key.cancel()
            if (verdict === OPEN) reset(channel) else channel.close()
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

    private fun isResourceShortage(e: IOException): Boolean {
        val m = e.message ?: return false
        return "Too many open files" in m || "No buffer space" in m || "Cannot assign requested address" in m
    }

    private companion object {
        val OPEN = Verdict(PortState.OPEN, "syn-ack", hostResponded = true)
        val REFUSED = Verdict(PortState.CLOSED, "conn-refused", hostResponded = true)
        val HOST_UNREACHABLE = Verdict(PortState.FILTERED, "host-unreach", hostResponded = false)
        val NET_UNREACHABLE = Verdict(PortState.FILTERED, "net-unreach", hostResponded = false)
        val TIMED_OUT = Verdict(PortState.FILTERED, "no-response", hostResponded = false)
        val ERROR = Verdict(PortState.FILTERED, "error", hostResponded = false)

        fun classify(e: IOException): Verdict {
            val m = e.message.orEmpty()
            return when {
                e is ConnectException && "refused" in m -> REFUSED
                e is NoRouteToHostException || "No route to host" in m || "Host is unreachable" in m -> HOST_UNREACHABLE
                "Network is unreachable" in m -> NET_UNREACHABLE
                "timed out" in m -> TIMED_OUT
                else -> ERROR
            }
        }
    }
}
