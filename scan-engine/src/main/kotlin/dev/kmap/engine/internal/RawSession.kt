package dev.kmap.engine.internal

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.packet.ArpRequestTemplate
import dev.kmap.packet.CaptureFilter
import dev.kmap.packet.EthernetAddresses
import dev.kmap.packet.MacAddress
import dev.kmap.packet.NeighbourCache
import dev.kmap.packet.NeighbourResolver
import dev.kmap.packet.NeighbourSolicitationTemplate
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
 *
 * Next hops' MAC addresses are found without waiting in the send path: a probe to a neighbour
 * not known yet (from [NeighbourCache] or the kernel's table, read once per link) sends one ARP
 * request / neighbour solicitation for it and waits, parked in a bounded list, while the loop
 * goes on sending; the answer, read by the receive thread, releases every probe parked for it.
 * All requests of a host group go out together, so the group shares one bounded wait; a
 * neighbour that stays silent through [NEIGHBOUR_REQUESTS] requests is absent for the rest of
 * the session (its probes, now and later, are answered at once: `host-unreach`). Through a
 * gateway, the gateway is the one neighbour resolved.
 */
@OptIn(InternalKmapApi::class)
internal abstract class RawSession<T>(
    private val routes: RouteResolver,
    private val openIo: (String) -> PacketIo,
    private val clock: () -> Long = SystemNanoClock,
) : ProbeSession {
    /**
     * A validated reply: the probe it answers (address, port), its meaning, and the attempt it
     * answers ([ReplySink.UNKNOWN_ATTEMPT] when the reply cannot tell).
     */
    protected class Reply(val address: IpAddress, val port: Int, val verdict: Verdict, val attempt: Int = ReplySink.UNKNOWN_ATTEMPT)

    /** The kernel capture filter for replies to our probes along [route]. */
    protected abstract fun captureFilter(route: Route): String

    /** The prebuilt templates for probes along [route]. */
    protected abstract fun templates(route: Route, ethernet: EthernetAddresses?): T

    /** The longest frame [templates] can write. */
    protected abstract fun maxLength(templates: T): Int

    /**
     * Writes the probe for [probe]'s port of [destination] into [buffer]; returns its length, or 0
     * when this probe cannot go there (e.g. an IPv4-only probe to an IPv6 host). [route] is the
     * destination's own route (its next hop: the destination or a gateway).
     */
    protected abstract fun write(templates: T, route: Route, buffer: ByteArray, destination: IpAddress, probe: Probe, mac: MacAddress?): Int

    /** Runs on a receive thread: the reply's probe and verdict, or null when it is not ours. */
    protected abstract fun validate(reply: ParsedReply): Reply?

    /** False for sessions that do their own neighbour discovery (ARP/NDP): no per-destination MAC. */
    protected open val resolvesNeighbours: Boolean = true

    /** A neighbour asked for and not answered yet, with the probes waiting for its MAC. */
    private class Pending(val address: IpAddress, var lastRequestNanos: Long, val firstSentNanos: Long) {
        var requests = 1
        val waiting = ArrayList<Parked>(4)
    }

    /** A probe waiting for its next hop's MAC address, with its destination's route. */
    private class Parked(val probe: Probe, val route: Route)

    /**
     * Where probes to one destination go: the link (interface and source address) and the
     * destination's own route, whose next hop the frames are addressed to. One link carries
     * destinations on the link and destinations behind a gateway alike.
     */
    private inner class Hop(val link: Link, val route: Route)

    /** An ARP reply or neighbour advertisement seen by a receive thread. */
    private inner class Announcement(val link: Link, val address: IpAddress, val mac: MacAddress)

    private inner class Link(val route: Route, val io: PacketIo) {
        val ethernet: EthernetAddresses? = if (!io.capabilities.canInjectFrames) null else EthernetAddresses(
            route.interfaceMac ?: throw PacketIoException("${route.interfaceName} has no MAC address to send Ethernet frames from"),
            MacAddress.BROADCAST,
        )
        val templates = templates(route, ethernet)
        val batch = PacketBatch(BATCH, maxOf(128, maxLength(templates)))
        private val linkType = io.capabilities.linkType
        val needsMac: Boolean = resolvesNeighbours && ethernet != null

        /** Per next hop: a [MacAddress], [ABSENT], or a [Pending] request (bounded; see [neighbourState]). */
        private val neighbours = HashMap<IpAddress, Any>()
        private val pendingOrder = ArrayDeque<Pending>() // by deadline: every wait is the same length
        private val kernelTable: Map<IpAddress, MacAddress> by lazy { NeighbourResolver.kernelTable(route.interfaceName, route.source.isV6) }
        private val request: Any? = if (!needsMac) null else if (route.source.isV6) {
            NeighbourSolicitationTemplate(ethernet!!.source, route.source)
        } else {
            ArpRequestTemplate(ethernet!!.source, route.source)
        }
        private var slowestAnswerNanos = -1L
        private val receiver = Thread({ receive() }, "kmap-rx-${route.interfaceName}").apply { isDaemon = true }

        init {
            val filter = captureFilter(route)
            io.setFilter(if (needsMac) "($filter) or (${CaptureFilter.neighbourReplies(route.source)})" else filter)
            receiver.start()
        }

        /** [MacAddress], [ABSENT] or [Pending] for [nextHop], sending its first request when it is new. */
        fun neighbourState(nextHop: IpAddress, now: Long): Any? {
            neighbours[nextHop]?.let { return it }
            val known: Any? = NeighbourCache.mac(route.interfaceName, nextHop, now)
                ?: kernelTable[nextHop]
                ?: if (NeighbourCache.isAbsent(route.interfaceName, nextHop, now, sinceNanos = openedNanos)) ABSENT else null
            if (known != null) {
                if (neighbours.size < MAX_NEIGHBOURS) neighbours[nextHop] = known
                return known
            }
            if (pendingOrder.size >= MAX_NEIGHBOURS) return null // too many questions open: later
            if (!sendRequest(nextHop)) return null
            return Pending(nextHop, now, now).also {
                neighbours[nextHop] = it
                pendingOrder.addLast(it)
            }
        }

        /** One request for [address] into the batch (flushing first if needed); false if the kernel has no room. */
        private fun sendRequest(address: IpAddress): Boolean {
            if (batch.isFull) flush()
            if (batch.isFull) return false
            val length = when (val t = request) {
                is ArpRequestTemplate -> t.write(batch.nextBuffer(), 0, address)
                is NeighbourSolicitationTemplate -> t.write(batch.nextBuffer(), 0, address)
                else -> return false
            }
            batch.commit(length)
            return true
        }

        /**
         * How long to wait for an answer: on a link where neighbours have answered, a few times
         * the slowest answer so far (a LAN answers in well under a millisecond); otherwise
         * [NEIGHBOUR_WAIT_NANOS].
         */
        private fun neighbourWaitNanos(): Long =
            if (slowestAnswerNanos < 0) NEIGHBOUR_WAIT_NANOS else (4 * slowestAnswerNanos + MIN_NEIGHBOUR_WAIT_NANOS).coerceAtMost(NEIGHBOUR_WAIT_NANOS)

        /** [address] announced [mac]: send every probe parked for it. */
        fun learned(address: IpAddress, mac: MacAddress, now: Long) {
            val previous = neighbours[address]
            if (neighbours.size < MAX_NEIGHBOURS || previous != null) neighbours[address] = mac
            val pending = previous as? Pending ?: return
            slowestAnswerNanos = maxOf(slowestAnswerNanos, now - pending.firstSentNanos)
            parked -= pending.waiting.size
            for (w in pending.waiting) {
                if (w.probe.done) continue // timed out while parked; its retransmission is parked too, or answered
                ready.addLast(w)
            }
            pending.waiting.clear()
            sendReady()
        }

        /** Probes whose neighbour answered, waiting for room in the batch. */
        private val ready = ArrayDeque<Parked>()

        /** Sends what [ready] holds while the kernel takes it. */
        fun sendReady() {
            while (ready.isNotEmpty()) {
                val w = ready.first()
                val probe = w.probe
                if (probe.done) { ready.removeFirst(); continue }
                val mac = neighbours[w.route.nextHop] as? MacAddress ?: MacAddress.BROADCAST
                when (writeProbe(this, w.route, probe, mac, released = true)) {
                    Written.YES -> ready.removeFirst()
                    Written.NO_ROOM -> return
                    Written.CANNOT -> { ready.removeFirst(); immediate += Immediate(probe, UNSUPPORTED) }
                }
            }
        }

        /**
         * Re-asks or gives up on neighbours whose wait is over. The wait is the same for every
         * request at any moment (it shortens as answers show the link's pace), so the list stays
         * in deadline order.
         */
        fun expireNeighbours(now: Long) {
            val wait = neighbourWaitNanos()
            while (pendingOrder.isNotEmpty()) {
                val p = pendingOrder.first()
                if (neighbours[p.address] !== p) { pendingOrder.removeFirst(); continue } // answered
                if (now < p.lastRequestNanos + wait) break
                pendingOrder.removeFirst()
                if (p.requests < NEIGHBOUR_REQUESTS && sendRequest(p.address)) {
                    p.requests++
                    p.lastRequestNanos = now
                    pendingOrder.addLast(p)
                    continue
                }
                neighbours[p.address] = ABSENT
                NeighbourCache.absent(route.interfaceName, p.address, now)
                parked -= p.waiting.size
                for (w in p.waiting) {
                    val probe = w.probe
                    probe.waitsForNeighbour = false
                    if (!probe.done) immediate += Immediate(probe, HOST_UNREACHABLE)
                }
                p.waiting.clear()
            }
        }

        /** Nanoseconds until the next neighbour's wait is over, or [Long.MAX_VALUE]. */
        fun nextNeighbourDeadline(now: Long): Long =
            pendingOrder.firstOrNull()?.let { (it.lastRequestNanos + neighbourWaitNanos() - now).coerceAtLeast(0) } ?: Long.MAX_VALUE

        private fun receive() {
            try {
                while (!closed) {
                    io.receive(RX_WAIT_NANOS, MAX_PACKETS_PER_POLL) { buffer, offset, length, _ ->
                        val parsed = ReplyParser.parse(buffer, offset, length, linkType)
                        val announced = when (parsed) {
                            is ParsedReply.Arp -> if (parsed.isReply) Announcement(this, parsed.senderAddress, parsed.senderMac) else null
                            is ParsedReply.Ndp -> parsed.linkAddress?.takeIf { parsed.isAdvertisement }?.let { Announcement(this, parsed.target, it) }
                            else -> null
                        }
                        // every announcement is shared with the scan's other sessions (ARP discovery's too)
                        if (announced != null) NeighbourCache.learned(route.interfaceName, announced.address, announced.mac)
                        val item: Any? = if (needsMac && announced != null) announced else validate(parsed)
                        if (item != null) {
                            while (!replies.offer(item, 10, TimeUnit.MILLISECONDS)) if (closed) return@receive
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
            }, "kmap-close-${route.interfaceName}").apply { isDaemon = true }.start()
        }
    }

    private class Immediate(val probe: Probe, val verdict: Verdict)

    private enum class Written { YES, NO_ROOM, CANNOT }

    /** A link is an interface and a source address on it. */
    private data class LinkId(val interfaceName: String, val source: IpAddress)

    private val links = HashMap<LinkId, Link>()
    private val unroutable = HashSet<LinkId>()
    private var lastDestination: IpAddress? = null
    private var lastHop: Hop? = null
    private val hopByDestination = HashMap<IpAddress, Hop?>() // null: no link goes there
    private val inFlight = ProbeTable()
    private val immediate = ArrayList<Immediate>()
    private val replies = ArrayBlockingQueue<Any>(REPLY_QUEUE) // Reply or Announcement
    private val drained = ArrayList<Any>(1024)
    private var parked = 0
    @Volatile private var closed = false

    /** Absences other sessions recorded before this one opened belong to an earlier scan: not trusted. */
    private val openedNanos = nanosOf(clock)
    @Volatile private var receiveFailure: Throwable? = null

    override val capacity: Int = 65_536

    override fun send(probe: Probe): SendResult {
        val hop = hopFor(probe.ip) ?: return answerNow(probe, NO_ROUTE)
        val link = hop.link
        if (link.batch.isFull) link.flush()
        if (link.batch.isFull) return SendResult.BUSY
        if (!link.needsMac) return written(link, hop.route, probe, null)
        return when (val state = link.neighbourState(hop.route.nextHop, nanosOf(clock))) {
            is MacAddress -> written(link, hop.route, probe, state)
            ABSENT -> answerNow(probe, HOST_UNREACHABLE)
            is Pending -> {
                if (parked >= MAX_PARKED) return SendResult.BUSY
                state.waiting += Parked(probe, hop.route)
                probe.waitsForNeighbour = true
                parked++
                SendResult.SENT
            }
            else -> SendResult.BUSY // no room for the request now
        }
    }

    private fun written(link: Link, route: Route, probe: Probe, mac: MacAddress?): SendResult = when (writeProbe(link, route, probe, mac, released = false)) {
        Written.YES -> SendResult.SENT
        Written.NO_ROOM -> SendResult.BUSY
        Written.CANNOT -> answerNow(probe, UNSUPPORTED)
    }

    /**
     * Writes [probe] (along its destination's [route]) into [link]'s batch (flushing when full) and
     * records it in flight. A probe [released] after waiting for its neighbour starts its round trip now.
     */
    private fun writeProbe(link: Link, route: Route, probe: Probe, mac: MacAddress?, released: Boolean): Written {
        if (link.batch.isFull) link.flush()
        if (link.batch.isFull) return Written.NO_ROOM
        val length = write(link.templates, route, link.batch.nextBuffer(), probe.ip, probe, mac)
        if (length <= 0) return Written.CANNOT
        link.batch.commit(length)
        if (released) {
            probe.sentAtNanos = nanosOf(clock)
            probe.waitsForNeighbour = false
        }
        inFlight.put(probe)
        return Written.YES
    }

    private fun answerNow(probe: Probe, verdict: Verdict): SendResult {
        immediate += Immediate(probe, verdict)
        return SendResult.SENT
    }

    /**
     * The link [destination] goes out on, with its route. The last destination's is kept (a port
     * scan of one host sends to it many times in a row), and every destination's up to
     * [MAX_CACHED_LINKS] (a port scan of many hosts sends to each in turn: one route lookup per
     * host, not per probe).
     */
    private fun hopFor(destination: IpAddress): Hop? {
        if (destination == lastDestination) return lastHop
        val cached = hopByDestination[destination]
        val hop = if (cached != null || hopByDestination.containsKey(destination)) {
            cached
        } else {
            val route = routes.route(destination)
            val found = if (route == null) null else linkOf(route)?.let { Hop(it, route) }
            if (hopByDestination.size >= MAX_CACHED_LINKS) hopByDestination.clear()
            hopByDestination[destination] = found
            found
        }
        lastDestination = destination
        lastHop = hop
        return hop
    }

    /**
     * Opens the link [destination] goes out on (capture handle, filter, receive thread) ahead of
     * the first probe, e.g. while discovery still runs. Called before the session's loop starts
     * using it, from any one thread.
     */
    fun prepare(destination: IpAddress) {
        hopFor(destination)
    }

    private fun linkOf(route: Route): Link? {
        val id = LinkId(route.interfaceName, route.source)
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
        for (link in links.values) { link.flush(); link.sendReady() }
        receiveFailure?.let { throw PacketIoException("capture failed: ${it.message}", it) }
        val now = nanosOf(clock)
        var wait = timeoutNanos
        for (link in links.values) {
            link.expireNeighbours(now)
            wait = minOf(wait, link.nextNeighbourDeadline(now))
        }
        if (immediate.isNotEmpty()) {
            for (i in immediate) sink.reply(i.probe, i.verdict, ReplySink.NO_EXCHANGE)
            immediate.clear()
            wait = 0
        }
        if (replies.isEmpty() && wait > 0) {
            // wait for the receive thread's first reply (a capture failure is seen next turn)
            replies.poll(minOf(wait, MAX_WAIT_NANOS), TimeUnit.NANOSECONDS)?.let { drained += it }
        }
        replies.drainTo(drained)
        var learned = false
        for (i in drained.indices) learned = deliver(drained[i], sink) or learned
        drained.clear()
        if (learned) {
            for (link in links.values) link.flush()
            if (immediate.isNotEmpty()) {
                for (i in immediate) sink.reply(i.probe, i.verdict, ReplySink.NO_EXCHANGE)
                immediate.clear()
            }
        }
    }

    /**
     * Hands one queued item to [sink] (a reply) or to its link (an announcement: true). A method
     * of its own, called per reply, so the JIT compiles it after a few hundred replies rather than
     * when [poll]'s loop has counted tens of thousands.
     */
    private fun deliver(item: Any, sink: ReplySink): Boolean {
        if (item is RawSession<*>.Announcement) {
            item.link.learned(item.address, item.mac, nanosOf(clock))
            return true
        }
        val r = item as Reply
        val probe = inFlight.remove(r.address.high, r.address.low, r.address.isV6, r.port) ?: return false
        sink.reply(probe, r.verdict, answeredAttempt(r.attempt, probe.attempt))
        return false
    }

    /** The attempt a reply carrying [carried] answers; the last encodable attempt stands for all later ones. */
    private fun answeredAttempt(carried: Int, probeAttempt: Int): Int = when {
        carried < 0 -> ReplySink.UNKNOWN_ATTEMPT
        carried == MAX_ENCODED_ATTEMPT && probeAttempt > carried -> ReplySink.UNKNOWN_ATTEMPT
        else -> carried
    }

    override fun abandon(probe: Probe) {
        // a parked probe stays in its list, skipped because the loop marked it done
        inFlight.removeIf(probe)
    }

    override fun close() {
        closed = true
        for (link in links.values) link.close()
        links.clear()
        hopByDestination.clear()
        lastHop = null
        inFlight.clear()
    }

    protected companion object {
        const val BATCH = 64
        const val MAX_NEIGHBOURS = 65_536
        const val MAX_PARKED = 65_536
        const val MAX_PACKETS_PER_POLL = 4_096
        const val REPLY_QUEUE = 65_536
        const val RX_WAIT_NANOS = 5_000_000L // also how long close() waits for the receive thread
        const val MAX_WAIT_NANOS = 100_000_000L

        /** Requests per neighbour before it counts as absent. */
        const val NEIGHBOUR_REQUESTS = 2

        /** The wait per request before any neighbour on the link has answered (then: from the answers' pace). */
        const val NEIGHBOUR_WAIT_NANOS = 250_000_000L
        const val MIN_NEIGHBOUR_WAIT_NANOS = 40_000_000L

        /** The attempt numbers a probe can carry (in its source port, say); later attempts carry the last. */
        const val MAX_ENCODED_ATTEMPT = 63

        /** Destinations whose links [hopFor] keeps; beyond, it starts over. */
        const val MAX_CACHED_LINKS = 4_096
        private val ABSENT = Any()
        val NO_ROUTE = Verdict(PortState.FILTERED, "no-route", hostResponded = false)
        val HOST_UNREACHABLE = Verdict(PortState.FILTERED, "host-unreach", hostResponded = false)
        val UNSUPPORTED = Verdict(PortState.FILTERED, "unsupported", hostResponded = false)

        /** The attempt number a probe carries. */
        fun encodedAttempt(probe: Probe): Int = minOf(probe.attempt, MAX_ENCODED_ATTEMPT)

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
