package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.packet.EthernetAddresses
import dev.kmap.packet.MacAddress
import dev.kmap.packet.NeighbourResolver
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIo
import dev.kmap.packet.PacketIoException
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ReplyParser
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import java.util.concurrent.ArrayBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * What every raw-packet scan session shares. Per outgoing interface (a [Link]) it holds a packet
 * I/O handle, the subclass's prebuilt templates and a send batch; probes are written into the
 * batch and sent in bursts. A receive thread per link reads replies through the subclass's kernel
 * filter, keeps only those that [validate] accepts (keyed-hash checks: no per-target table) and
 * queues them; [poll] maps each to its [Probe] through the table of probes in flight, which also
 * drops duplicates (the first reply takes the probe out). Subclasses say what to send and what a
 * reply means.
 */
internal abstract class RawSession<T>(
    private val routes: RouteResolver,
    private val openIo: (String) -> PacketIo,
) : ProbeSession {
    /** A validated reply: the probe it answers (address, port) and its meaning. */
    protected class Reply(val address: IpAddress, val port: Int, val verdict: Verdict)

    /** The kernel capture filter for replies to our probes along [route]. */
    protected abstract fun captureFilter(route: Route): String

    /** The prebuilt templates for probes along [route]. */
    protected abstract fun templates(route: Route, ethernet: EthernetAddresses?): T

    /** The longest frame [templates] can write. */
    protected abstract fun maxLength(templates: T): Int

    /** Writes the probe for [probe]'s port of [destination] into [buffer]; returns its length, or 0 when this probe cannot go there (e.g. an IPv4-only probe to an IPv6 host). */
    protected abstract fun write(templates: T, route: Route, buffer: ByteArray, destination: IpAddress, probe: Probe, mac: MacAddress?): Int

    /** Runs on a receive thread: the reply's probe and verdict, or null when it is not ours. */
    protected abstract fun validate(reply: ParsedReply): Reply?

    /** False for sessions that do their own neighbour discovery (ARP/NDP): no per-destination MAC. */
    protected open val resolvesNeighbours: Boolean = true

    private inner class Link(val route: Route, val io: PacketIo) {
        // Through a gateway every frame goes to its MAC. On-link, each destination has its own
        // (patched per probe), so nothing is resolved here: an absent first host must not make
        // the whole interface unusable.
        val ethernet: EthernetAddresses? = when {
            !io.capabilities.canInjectFrames -> null
            route.gateway != null -> NeighbourResolver.ethernetAddresses(route, io, attempts = 2, attemptMillis = 300)
            else -> EthernetAddresses(
                route.interfaceMac ?: throw PacketIoException("${route.interfaceName} has no MAC address to send Ethernet frames from"),
                MacAddress.BROADCAST,
            )
        }
        val templates = templates(route, ethernet)
        val batch = PacketBatch(BATCH, maxOf(128, maxLength(templates)))
        private val linkType = io.capabilities.linkType

        /** Per-destination MACs for on-link targets (bounded: at most a group's worth). */
        private val macs = object : LinkedHashMap<IpAddress, MacAddress?>() {
            override fun removeEldestEntry(eldest: MutableMap.MutableEntry<IpAddress, MacAddress?>) = size > MAX_MACS
        }

        /** Active ARP/NDP uses a handle of its own: it sets its own capture filter and reads replies. */
        private var neighbourHandle: PacketIo? = null
        private val receiver = Thread({ receive() }, "kmap-rx-${route.interfaceName}").apply { isDaemon = true }

        init {
            io.setFilter(captureFilter(route))
            receiver.start()
        }

        /** Null: send to the template's next hop; otherwise this on-link destination's MAC. */
        fun macFor(destination: IpAddress): MacAddress? {
            if (!needsMac) return null
            return macs.getOrPut(destination) {
                NeighbourResolver.cached(destination, route.interfaceName)
                    ?: NeighbourResolver.resolve(route.copy(destination = destination), neighbourIo(), attempts = 2, attemptMillis = 300)
            }
        }

        val needsMac: Boolean get() = resolvesNeighbours && ethernet != null && route.gateway == null

        private fun neighbourIo(): PacketIo = neighbourHandle ?: openIo(route.interfaceName).also { neighbourHandle = it }

        private fun receive() {
            try {
                while (!closed) {
                    io.receive(RX_WAIT_NANOS, MAX_PACKETS_PER_POLL) { buffer, offset, length, _ ->
                        validate(ReplyParser.parse(buffer, offset, length, linkType))?.let { r ->
                            while (!replies.offer(r, 10, TimeUnit.MILLISECONDS)) if (closed) return@receive
                        }
                    }
                }
            } catch (e: Throwable) {
                if (!closed) receiveFailure = e
            }
        }

        fun flush() {
            while (!batch.isEmpty) {
                val sent = io.send(batch)
                if (sent <= 0) break // kernel buffers full: the rest goes next turn
                batch.dropFirst(sent)
            }
        }

        /**
         * Closes in the background: the kernel waits for an RCU grace period (tens of
         * milliseconds) when a packet socket closes, and nothing the scan reports depends on it.
         */
        fun close() {
            Thread({
                runCatching { receiver.join(1_000) }
                runCatching { io.close() }
                neighbourHandle?.let { runCatching { it.close() } }
            }, "kmap-close-${route.interfaceName}").apply { isDaemon = true }.start()
        }
    }

    private class Key(val address: IpAddress, val port: Int) {
        override fun equals(other: Any?) = other is Key && other.port == port && other.address == address
        override fun hashCode() = address.hashCode() * 31 + port
    }

    private val links = HashMap<String, Link>()
    private val unroutable = HashSet<String>()
    private val inFlight = HashMap<Key, Probe>()
    private val immediate = ArrayList<Pair<Probe, Verdict>>()
    private val replies = ArrayBlockingQueue<Reply>(REPLY_QUEUE)
    private val drained = ArrayList<Reply>(1024)
    @Volatile private var closed = false
    @Volatile private var receiveFailure: Throwable? = null

    override val capacity: Int = 65_536

    override fun send(probe: Probe): SendResult {
        val destination = IpAddress.ofBytes(probe.address.address)
        val link = linkFor(destination) ?: return answerNow(probe, NO_ROUTE)
        if (link.batch.isFull) link.flush()
        if (link.batch.isFull) return SendResult.BUSY
        val mac = link.macFor(destination)
        if (link.needsMac && mac == null) return answerNow(probe, HOST_UNREACHABLE)
        val length = write(link.templates, link.route, link.batch.nextBuffer(), destination, probe, mac)
        if (length <= 0) return answerNow(probe, UNSUPPORTED)
        link.batch.commit(length)
        inFlight[Key(destination, probe.port)] = probe
        return SendResult.SENT
    }

    private fun answerNow(probe: Probe, verdict: Verdict): SendResult {
        immediate += probe to verdict
        return SendResult.SENT
    }

    private fun linkFor(destination: IpAddress): Link? {
        val route = routes.route(destination) ?: return null
        val id = "${route.interfaceName}/${route.source}"
        links[id]?.let { return it }
        if (id in unroutable) return null
        return try {
            Link(route, openIo(route.interfaceName)).also { links[id] = it }
        } catch (e: PacketIoException) {
            unroutable += id
            null
        }
    }

    override fun poll(timeoutNanos: Long, sink: ReplySink) {
        for (link in links.values) link.flush()
        receiveFailure?.let { throw PacketIoException("capture failed: ${it.message}", it) }
        if (immediate.isNotEmpty()) {
            immediate.forEach { (p, v) -> sink.reply(p, v) }
            immediate.clear()
        }
        if (replies.isEmpty() && timeoutNanos > 0) {
            // wait for the receive thread's first reply (a capture failure is seen next turn)
            replies.poll(minOf(timeoutNanos, MAX_WAIT_NANOS), TimeUnit.NANOSECONDS)?.let { drained += it }
        }
        replies.drainTo(drained)
        for (r in drained) {
            val probe = inFlight.remove(Key(r.address, r.port)) ?: continue
            sink.reply(probe, r.verdict)
        }
        drained.clear()
    }

    override fun abandon(probe: Probe) {
        inFlight.remove(Key(IpAddress.ofBytes(probe.address.address), probe.port))
    }

    override fun close() {
        closed = true
        for (link in links.values) link.close()
        links.clear()
        inFlight.clear()
    }

    protected companion object {
        const val BATCH = 64
        const val MAX_MACS = 4_096
        const val MAX_PACKETS_PER_POLL = 4_096
        const val REPLY_QUEUE = 65_536
        const val RX_WAIT_NANOS = 5_000_000L // also how long close() waits for the receive thread
        const val MAX_WAIT_NANOS = 100_000_000L
        val NO_ROUTE = Verdict(PortState.FILTERED, "no-route", hostResponded = false)
        val HOST_UNREACHABLE = Verdict(PortState.FILTERED, "host-unreach", hostResponded = false)
        val UNSUPPORTED = Verdict(PortState.FILTERED, "unsupported", hostResponded = false)

        /** nmap's reasons for ICMP/ICMPv6 destination-unreachable codes. */
        fun unreachableReason(e: ParsedReply.IcmpError): String = if (e.source.isV6) {
            when (e.code) { 0 -> "net-unreach"; 1 -> "admin-prohibited"; 3 -> "host-unreach"; 4 -> "port-unreach"; else -> "unreach" }
        } else {
            when (e.code) {
                0 -> "net-unreach"; 1 -> "host-unreach"; 2 -> "proto-unreach"; 3 -> "port-unreach"
                9 -> "net-prohibited"; 10 -> "host-prohibited"; 13 -> "admin-prohibited"; else -> "unreach"
            }
        }
    }
}
