package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.packet.CaptureFilter
import dev.kmap.packet.MacAddress
import dev.kmap.packet.NeighbourResolver
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIo
import dev.kmap.packet.PacketIoException
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ProbeKey
import dev.kmap.packet.ReplyParser
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import dev.kmap.packet.TcpProbeTemplate
import java.util.concurrent.ArrayBlockingQueue
import java.util.concurrent.ThreadLocalRandom
import java.util.concurrent.TimeUnit

/**
 * One run of a raw TCP scan module. Per outgoing interface (a [Link]) it holds a packet I/O
 * handle, a prebuilt template and a send batch; probes are written into the batch and sent in
 * bursts, replies are read through a kernel filter on our source port. A reply is trusted only
 * when its sequence/acknowledgment carries the keyed hash of the probe it answers, and it is
 * mapped back to its [Probe] through the table of probes in flight (nothing is kept per target).
 */
internal class RawTcpSession(
    private val flags: Int,
    private val classify: (ParsedReply.Tcp) -> Verdict?,
    private val routes: RouteResolver = RouteResolver.system(),
    private val openIo: (String) -> PacketIo = { PacketIo.open(it) },
) : ProbeSession {
    private inner class Link(val route: Route, val io: PacketIo) {
        val ethernet = NeighbourResolver.ethernetAddresses(route, io, attempts = 2, attemptMillis = 300)
        val template = TcpProbeTemplate(route.source, ethernet, flags)
        val batch = PacketBatch(BATCH, maxOf(128, template.length))
        val linkType = io.capabilities.linkType
        /** Per-destination MACs for on-link targets (bounded: at most a group's worth). */
        val macs = object : LinkedHashMap<IpAddress, MacAddress?>() {
            override fun removeEldestEntry(eldest: MutableMap.MutableEntry<IpAddress, MacAddress?>) = size > MAX_MACS
        }

        /** Reads, parses and validates replies on its own thread; the probe loop only drains [replies]. */
        val receiver = Thread({ receive() }, "kmap-rx-${route.interfaceName}").apply { isDaemon = true }

        init {
            io.setFilter("(${CaptureFilter.tcpReplies(route.source, sourcePort..sourcePort)}) or (${CaptureFilter.icmpReplies(route.source)})")
            receiver.start()
        }

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

        fun macFor(destination: IpAddress): MacAddress? {
            if (ethernet == null || route.gateway != null) return null // the template's next hop
            return macs.getOrPut(destination) {
                NeighbourResolver.cached(destination, route.interfaceName)
                    ?: NeighbourResolver.resolve(route.copy(destination = destination), neighbourIo(), attempts = 2, attemptMillis = 300)
            }
        }

        /** Active ARP/NDP uses a handle of its own: it sets its own capture filter and reads replies. */
        private var neighbourHandle: PacketIo? = null

        fun neighbourIo(): PacketIo = neighbourHandle ?: openIo(route.interfaceName).also { neighbourHandle = it }

        fun close() {
            runCatching { receiver.join(1_000) }
            runCatching { io.close() }
            neighbourHandle?.let { runCatching { it.close() } }
        }

        fun flush() {
            while (!batch.isEmpty) {
                val sent = io.send(batch)
                if (sent <= 0) break // kernel buffers full: the rest goes next turn
                batch.dropFirst(sent)
            }
        }
    }

    /** A validated reply from the receive thread: which probe it answers and what it means. */
    private class Reply(val key: Key, val verdict: Verdict)

    private class Key(val address: IpAddress, val port: Int) {
        override fun equals(other: Any?) = other is Key && other.port == port && other.address == address
        override fun hashCode() = address.hashCode() * 31 + port
    }

    private val key = ProbeKey.random()
    private val sourcePort = ThreadLocalRandom.current().nextInt(SOURCE_PORTS.first, SOURCE_PORTS.last + 1)
    private val links = HashMap<String, Link>()
    private val unroutable = HashMap<String, String>()
    private val inFlight = HashMap<Key, Probe>()
    private val immediate = ArrayList<Pair<Probe, Verdict>>()
    private val replies = ArrayBlockingQueue<Reply>(REPLY_QUEUE)
    private val drained = ArrayList<Reply>(1024)
    @Volatile private var closed = false
    @Volatile private var receiveFailure: Throwable? = null

    override val capacity: Int = 65_536

    override fun send(probe: Probe): SendResult {
        val destination = IpAddress.ofBytes(probe.address.address)
        val link = linkFor(destination) ?: run {
            immediate += probe to Verdict(PortState.FILTERED, "no-route", hostResponded = false)
            return SendResult.SENT
        }
        if (link.batch.isFull) link.flush()
        if (link.batch.isFull) return SendResult.BUSY
        val mac = link.macFor(destination)
        if (link.ethernet != null && link.route.gateway == null && mac == null) {
            immediate += probe to Verdict(PortState.FILTERED, "host-unreach", hostResponded = false)
            return SendResult.SENT
        }
        val seq = key.tcpSequence(link.route.source, destination, sourcePort, probe.port)
        val length = link.template.write(link.batch.nextBuffer(), 0, destination, sourcePort, probe.port, seq, seq, destinationMac = mac)
        link.batch.commit(length)
        inFlight[Key(destination, probe.port)] = probe
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
            unroutable[id] = e.message ?: "unusable interface"
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
            // wait for the receive thread's first reply (or a capture failure, checked next turn)
            replies.poll(minOf(timeoutNanos, MAX_WAIT_NANOS), TimeUnit.NANOSECONDS)?.let { drained += it }
        }
        replies.drainTo(drained)
        for (r in drained) {
            val probe = inFlight.remove(r.key) ?: continue
            sink.reply(probe, r.verdict)
        }
        drained.clear()
    }

    /**
     * Runs on a receive thread: the reply's probe and verdict, or null when it is not ours.
     * Duplicates need no filter here: the first reply takes the probe out of [inFlight], later
     * copies find nothing (and a retransmission or a second step's probe gets its own reply).
     */
    private fun validate(reply: ParsedReply): Reply? = when (reply) {
        is ParsedReply.Tcp -> {
            if (reply.destinationPort != sourcePort || !key.isValidTcpReply(reply, flags)) {
                null
            } else {
                classify(reply)?.let { Reply(Key(reply.source, reply.sourcePort), it) }
            }
        }
        is ParsedReply.IcmpError -> {
            val quoted = reply.quoted
            if (quoted == null || !reply.isUnreachable || quoted.sourcePort != sourcePort || !key.isValidQuotedProbe(quoted)) {
                null
            } else {
                Reply(Key(quoted.destination, quoted.destinationPort), Verdict(PortState.FILTERED, unreachableReason(reply), hostResponded = false))
            }
        }
        else -> null
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

    private companion object {
        const val BATCH = 64
        const val MAX_MACS = 4_096
        const val MAX_PACKETS_PER_POLL = 4_096
        const val REPLY_QUEUE = 65_536
        const val RX_WAIT_NANOS = 20_000_000L
        const val MAX_WAIT_NANOS = 100_000_000L
        val SOURCE_PORTS = 40_000..59_999

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
