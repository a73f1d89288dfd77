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
import dev.kmap.packet.PacketIoOptions
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ProbeKey
import dev.kmap.packet.QuotedPacket
import dev.kmap.packet.ReplyParser
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import dev.kmap.packet.UdpProbeTemplate
import java.util.concurrent.ArrayBlockingQueue
import java.util.concurrent.ThreadLocalRandom
import java.util.concurrent.TimeUnit

/**
 * One run of the UDP scan. Same shape as [RawTcpSession]: per outgoing interface (a [Link]) a
 * packet I/O handle, prebuilt templates (one per protocol payload of [UdpPayloads], one empty)
 * and a send batch; a receive thread validates replies into a queue; probes in flight are keyed
 * by (address, port). The source port carries the keyed hash: it is one of [PORT_COUNT] ports
 * from a random base, chosen by [ProbeKey.udpSourcePort] from the destination and its port, so a
 * datagram back to the right port, or an ICMP error quoting a probe from it, is ours.
 */
internal class UdpSession(
    private val routes: RouteResolver = RouteResolver.system(),
    private val openIo: (String) -> PacketIo = { PacketIo.open(it, PacketIoOptions(bufferBytes = CAPTURE_BUFFER)) },
) : ProbeSession {
    private inner class Link(val route: Route, val io: PacketIo) {
        val ethernet = NeighbourResolver.ethernetAddresses(route, io, attempts = 2, attemptMillis = 300)
        val empty = UdpProbeTemplate(route.source, ethernet)
        val templates: Map<Int, UdpProbeTemplate> =
            UdpPayloads.ports.associateWith { UdpProbeTemplate(route.source, ethernet, UdpPayloads.forPort(it)) }
        val batch = PacketBatch(BATCH, maxOf(128, (templates.values + empty).maxOf { it.length }))
        val linkType = io.capabilities.linkType
        val macs = object : LinkedHashMap<IpAddress, MacAddress?>() {
            override fun removeEldestEntry(eldest: MutableMap.MutableEntry<IpAddress, MacAddress?>) = size > MAX_MACS
        }
        val receiver = Thread({ receive() }, "kmap-udp-rx-${route.interfaceName}").apply { isDaemon = true }

        init {
            io.setFilter(CaptureFilter.udpReplies(route.source, basePort until basePort + PORT_COUNT))
            receiver.start()
        }

        fun template(port: Int): UdpProbeTemplate = templates[port] ?: empty

        private fun receive() {
            try {
                while (!closed) {
                    io.receive(RX_WAIT_NANOS, MAX_PACKETS_PER_POLL) { buffer, offset, length, _ ->
                        validate(ReplyParser.parse(buffer, offset, length, linkType))?.let { r ->
                            while (!replies.offer(r, 10, TimeUnit.MILLISECONDS)) if (closed) return@receive
                            signal()
                        }
                    }
                }
            } catch (e: Throwable) {
                if (!closed) receiveFailure = e
                signal()
            }
        }

        fun macFor(destination: IpAddress): MacAddress? {
            if (ethernet == null || route.gateway != null) return null
            return macs.getOrPut(destination) {
                NeighbourResolver.cached(destination, route.interfaceName)
                    ?: NeighbourResolver.resolve(route.copy(destination = destination), neighbourIo(), attempts = 2, attemptMillis = 300)
            }
        }

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
                if (sent <= 0) break
                batch.dropFirst(sent)
            }
        }
    }

    private class Reply(val key: Key, val verdict: Verdict)

    private class Key(val address: IpAddress, val port: Int) {
        override fun equals(other: Any?) = other is Key && other.port == port && other.address == address
        override fun hashCode() = address.hashCode() * 31 + port
    }

    private val key = ProbeKey.random()
    private val basePort = ThreadLocalRandom.current().nextInt(BASE_PORTS.first, BASE_PORTS.last + 1)
    private var ipId = ThreadLocalRandom.current().nextInt(0x10000)
    private val links = HashMap<String, Link>()
    private val unroutable = HashMap<String, String>()
    private val inFlight = HashMap<Key, Probe>()
    private val immediate = ArrayList<Pair<Probe, Verdict>>()
    private val replies = ArrayBlockingQueue<Reply>(REPLY_QUEUE)
    private val drained = ArrayList<Reply>(1024)
    private val waiter = Object()
    private var waiting = false
    @Volatile private var closed = false
    @Volatile private var receiveFailure: Throwable? = null

    private fun signal() = synchronized(waiter) { if (waiting) waiter.notify() }

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
        val sport = key.udpSourcePort(link.route.source, destination, probe.port, basePort, PORT_COUNT)
        ipId = (ipId + 1) and 0xffff
        val length = link.template(probe.port).write(link.batch.nextBuffer(), 0, destination, sport, probe.port, ipId, mac)
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
            synchronized(waiter) {
                waiting = true
                if (replies.isEmpty()) waiter.wait(timeoutNanos / 1_000_000, (timeoutNanos % 1_000_000).toInt())
                waiting = false
            }
        }
        replies.drainTo(drained)
        for (r in drained) {
            val probe = inFlight.remove(r.key) ?: continue
            sink.reply(probe, r.verdict)
        }
        drained.clear()
    }

    /** Runs on a receive thread: the reply's probe and verdict, or null when it is not ours. */
    private fun validate(reply: ParsedReply): Reply? = when (reply) {
        is ParsedReply.Udp ->
            if (key.isValidUdpReply(reply, basePort, PORT_COUNT)) Reply(Key(reply.source, reply.sourcePort), OPEN) else null
        is ParsedReply.IcmpError -> {
            val quoted = reply.quoted
            if (quoted == null || !reply.isUnreachable || quoted.protocol != QuotedPacket.UDP ||
                !key.isValidQuotedProbe(quoted, basePort, PORT_COUNT)
            ) {
                null
            } else {
                val verdict = if (reply.isPortUnreachable) {
                    // only the target itself says "port unreachable"; a router saying it means filtered
                    if (reply.source == quoted.destination) CLOSED else Verdict(PortState.FILTERED, "port-unreach", hostResponded = false)
                } else {
                    Verdict(PortState.FILTERED, unreachableReason(reply), hostResponded = false)
                }
                Reply(Key(quoted.destination, quoted.destinationPort), verdict)
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
        /** A larger capture buffer than the default: bursts of ICMP errors must not be dropped. */
        const val CAPTURE_BUFFER = 32 shl 20
        const val PORT_COUNT = 1_024
        val BASE_PORTS = 40_000..59_000

        val OPEN = Verdict(PortState.OPEN, "udp-response", hostResponded = true)
        val CLOSED = Verdict(PortState.CLOSED, "port-unreach", hostResponded = true)

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
