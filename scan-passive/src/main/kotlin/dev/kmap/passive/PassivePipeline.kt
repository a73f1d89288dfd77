package dev.kmap.passive

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.PassiveLimits
import dev.kmap.packet.MacAddress
import dev.kmap.passive.internal.FlowEntry
import dev.kmap.passive.internal.FlowTable
import dev.kmap.passive.internal.FrameDecoder
import dev.kmap.passive.internal.Packet
import dev.kmap.passive.internal.Reassembler
import dev.kmap.passive.internal.StreamOut
import dev.kmap.passive.internal.TcpFingerprint

/**
 * The passive pipeline: frames in ([frame], a [FrameSink]), events out to [listener]. Layers:
 * decoding (link, IP, TCP/UDP), flow tracking (a bidirectional table of at most
 * [PassiveLimits.maxFlows] flows, TCP state machine, idle timeouts in capture time, LRU
 * eviction), TCP reassembly (bounded per flow and in all by [PassiveLimits]), and the
 * [parsers]; besides, ARP and source MACs ([PassiveEvent.Neighbour]) and p0f-style OS guesses
 * from SYN and SYN/ACK packets ([os]).
 *
 * Memory is bounded by the limits whatever the input: flows by `maxFlows`, buffered bytes
 * (reassembly and parser buffers) by `maxBufferTotal`, events by one frame's worth (they are
 * handed to the listener before the next frame). Not thread-safe: one thread feeds it.
 *
 * ```kotlin
 * val pipeline = PassivePipeline(PassiveLimits(), listener = { e -> println(e) })
 * CaptureFileSource.open(path).use { src -> while (src.read(pipeline, 4096) >= 0) {} }
 * pipeline.finish(interrupted = false)
 * ```
 */
public class PassivePipeline(
    private val limits: PassiveLimits,
    private val parsers: PassiveParsers = PassiveParsers.DEFAULT,
    private val os: OsSignatures? = OsSignatures.BUILT_IN,
    private val listener: PassiveListener,
) : FrameSink {
    private val p = Packet()
    private val table = FlowTable(limits.maxFlows)
    /** The run's buffer budget (reassembly and parser buffers). */
    public val budget: ByteBudget = ByteBudget(limits.maxBufferTotal)
    private val idleNanos = longArrayOf(limits.tcpIdleMillis * 1_000_000, limits.udpIdleMillis * 1_000_000, limits.otherIdleMillis * 1_000_000)
    private var nextId = 1L
    private var now = 0L
    private var lastExpiry = 0L

    private var frames = 0L
    private var bytes = 0L
    private var nonIp = 0L
    private var malformed = 0L
    private var fragments = 0L
    private var evicted = 0L
    private var idle = 0L
    private var droppedBytes = 0L
    private var poisoned = 0L
    private var peakFlows = 0
    private var firstTs = 0L

    // neighbours already reported: a small direct-mapped cache (a miss only repeats an event)
    private val neighbourHi = LongArray(NEIGHBOURS)
    private val neighbourLo = LongArray(NEIGHBOURS)
    private val neighbourMac = LongArray(NEIGHBOURS) { -1 }

    private var current: FlowEntry? = null
    private var currentUp = false
    private val sink = MessageSink { fromInitiator, message ->
        val f = current!!
        listener.event(PassiveEvent.Message(f.key, f.id, now, fromInitiator, message))
    }
    private val streamOut = object : StreamOut {
        override fun bytes(buffer: ByteArray, offset: Int, length: Int) = streamBytes(current!!, currentUp, buffer, offset, length)
        override fun gap(length: Int) = streamGap(current!!, currentUp, length)
    }

    /** Flows tracked now. */
    public val flows: Int get() = table.size

    override fun frame(linkType: Int, buffer: ByteArray, offset: Int, capturedLength: Int, wireLength: Int, timestampNanos: Long) {
        frames++
        bytes += wireLength
        if (timestampNanos > now) now = timestampNanos
        if (firstTs == 0L) { firstTs = timestampNanos; lastExpiry = timestampNanos }
        when (FrameDecoder.decode(linkType, buffer, offset, capturedLength, p)) {
            Packet.TCP -> { neighbour(); tcp() }
            Packet.UDP -> { neighbour(); flowPacket(FlowKey.UDP, p.srcPort, p.dstPort, 1) }
            Packet.ICMP, Packet.OTHER_IP -> { neighbour(); flowPacket(p.proto, 0, 0, 2) }
            Packet.ARP -> arp()
            Packet.FRAGMENT -> { fragments++; neighbour() }
            Packet.MALFORMED -> malformed++
            else -> nonIp++
        }
        if (now - lastExpiry >= EXPIRY_INTERVAL) { expire(); lastExpiry = now }
    }

    private fun tcp() {
        val e = flowPacket(FlowKey.TCP, p.srcPort, p.dstPort, 0) ?: return
        if (p.flags and SYN != 0 && os != null) osHint(e)
    }

    /** Finds or starts the flow of the current packet and updates it; null if the packet was only counted. */
    private fun flowPacket(proto: Int, sPort: Int, dPort: Int, lru: Int): FlowEntry? {
        val h = FlowTable.hash(proto, p.srcHi, p.srcLo, sPort, p.dstHi, p.dstLo, dPort)
        var e = table.find(proto, h, p.srcHi, p.srcLo, sPort, p.dstHi, p.dstLo, dPort)
        var up = table.fromInitiator
        val tcp = proto == FlowKey.TCP
        val flags = if (tcp) p.flags else 0
        if (e != null && e.ended && tcp && flags and (SYN or ACK) == SYN) { // a new connection on the same ports
            table.remove(e); release(e); e = null
        }
        if (e == null) {
            // the initiator sent the SYN: a SYN/ACK seen first was sent by the responder
            val reversed = tcp && flags and (SYN or ACK) == (SYN or ACK)
            e = start(proto, h, sPort, dPort, lru, reversed)
            up = !reversed
        }
        e.last = now
        table.touch(e)
        val len = p.payloadWire
        if (up) { e.packetsUp++; e.bytesUp += len } else { e.packetsDown++; e.bytesDown += len }
        if (limits.packetEvents) listener.event(PassiveEvent.Packet(e.key, e.id, now, up, len))
        if (e.ended) return e
        if (tcp) tcpState(e, up, flags) else if (p.payloadLen > 0 && proto == FlowKey.UDP) datagram(e, up)
        return e
    }

    private fun start(proto: Int, h: Int, sPort: Int, dPort: Int, lru: Int, reversed: Boolean): FlowEntry {
        while (table.size >= limits.maxFlows) {
            val old = table.oldest() ?: break
            end(old, EndReason.EVICTED)
        }
        val v6 = p.ipVersion == 6
        val src = address(v6, p.srcHi, p.srcLo)
        val dst = address(v6, p.dstHi, p.dstLo)
        val e = if (!reversed) {
            FlowEntry(proto, p.srcHi, p.srcLo, sPort, p.dstHi, p.dstLo, dPort, h, nextId++, FlowKey(proto, src, sPort, dst, dPort), lru)
        } else {
            FlowEntry(proto, p.dstHi, p.dstLo, dPort, p.srcHi, p.srcLo, sPort, h, nextId++, FlowKey(proto, dst, dPort, src, sPort), lru)
        }
        e.first = now
        val tcp = proto == FlowKey.TCP
        if (tcp) {
            val f = p.flags
            e.state = when {
                f and (SYN or ACK) == SYN -> FlowState.SYN_SENT
                f and (SYN or ACK) == (SYN or ACK) -> FlowState.SYN_RECEIVED
                else -> FlowState.ESTABLISHED
            }
            e.midstream = f and SYN == 0
        }
        table.insert(e)
        if (table.size > peakFlows) peakFlows = table.size
        listener.event(PassiveEvent.Started(e.key, e.id, now, e.midstream))
        return e
    }

    private fun tcpState(e: FlowEntry, up: Boolean, flags: Int) {
        if (flags and RST != 0) {
            if (p.payloadLen > 0) segment(e, up, flags) // rare, but data before the reset is data
            change(e, FlowState.RESET)
            end(e, EndReason.RESET)
            return
        }
        when (e.state) {
            FlowState.SYN_SENT -> if (!up && flags and (SYN or ACK) == (SYN or ACK)) change(e, FlowState.SYN_RECEIVED)
            FlowState.SYN_RECEIVED -> if (up && flags and ACK != 0 && flags and SYN == 0) {
                change(e, FlowState.ESTABLISHED)
                listener.event(PassiveEvent.Established(e.key, e.id, now))
            }
            else -> Unit
        }
        if (p.payloadWire > 0 || flags and SYN != 0) segment(e, up, flags)
        if (e.ended) return
        var newFin = false
        if (flags and FIN != 0) {
            val finSeq = p.seq + p.payloadWire + (if (flags and SYN != 0) 1 else 0)
            if (up && !e.finUp) { e.finUp = true; e.finSeqUp = finSeq; newFin = true }
            if (!up && !e.finDown) { e.finDown = true; e.finSeqDown = finSeq; newFin = true }
            if (newFin) {
                e.lastFinUp = up
                finish(e, up)
                if (e.ended) return
                change(e, if (e.finUp && e.finDown) FlowState.CLOSING else FlowState.FIN_WAIT)
            }
        }
        if (!newFin && e.state == FlowState.CLOSING && flags and ACK != 0 && up != e.lastFinUp) {
            // the ACK of the second FIN, from the side that sent the first
            val lastFinSeq = if (e.lastFinUp) e.finSeqUp else e.finSeqDown
            if (p.ack - lastFinSeq > 0) { // acknowledges the FIN itself
                change(e, FlowState.CLOSED)
                end(e, EndReason.CLOSED)
            }
        }
    }

    private fun change(e: FlowEntry, to: FlowState) {
        if (e.state == to) return
        val from = e.state
        e.state = to
        listener.event(PassiveEvent.StateChange(e.key, e.id, now, from, to))
    }

    /** Hands the segment's payload to reassembly, if anyone wants this side's bytes. */
    private fun segment(e: FlowEntry, up: Boolean, flags: Int) {
        if (e.parse == 2) return
        val parser = e.parser
        if (parser != null && !parser.wants(up)) return
        var r = if (up) e.up else e.down
        if (r == null) {
            r = Reassembler(limits.maxBufferPerFlow, budget)
            if (up) e.up = r else e.down = r
        }
        current = e
        currentUp = up
        val flowBuffered = (e.up?.buffered ?: 0) + (e.down?.buffered ?: 0)
        val before = r.dropped
        r.segment(p.seq, flags and SYN != 0, p.buf, p.payloadAt, p.payloadLen, p.payloadWire, flowBuffered, streamOut)
        droppedBytes += r.dropped - before
    }

    private fun streamBytes(e: FlowEntry, up: Boolean, b: ByteArray, off: Int, len: Int) {
        when (e.parse) {
            0 -> sniff(e, up, b, off, len)
            1 -> e.parser!!.let { parser ->
                if (parser.wants(up)) {
                    parser.data(up, b, off, len, sink)
                    checkPoison(e, parser)
                }
            }
        }
    }

    private fun streamGap(e: FlowEntry, up: Boolean, len: Int) {
        if (e.parse == 0) decide(e)
        val parser = e.parser ?: return
        parser.gap(up, len, sink)
        checkPoison(e, parser)
    }

    private fun checkPoison(e: FlowEntry, parser: StreamParser) {
        if (parser.poisonReason != null && e.parse == 1) {
            poisoned++
            stopParsing(e)
        }
    }

    private fun stopParsing(e: FlowEntry) {
        e.parser?.release()
        e.parser = null
        e.parse = 2
        e.up?.discard()
        e.down?.discard()
    }

    /** Gathers the first bytes of the side that spoke first, then picks the protocol. */
    private fun sniff(e: FlowEntry, up: Boolean, b: ByteArray, off: Int, len: Int) {
        val buf = e.sniff ?: ByteArray(StreamProtocol.SNIFF_BYTES).also { e.sniff = it; e.sniffUp = up }
        if (up != e.sniffUp && e.sniffLen > 0) { // the other side speaks: decide on what there is
            decide(e)
            streamBytes(e, up, b, off, len)
            return
        }
        val take = minOf(len, buf.size - e.sniffLen)
        System.arraycopy(b, off, buf, e.sniffLen, take)
        e.sniffLen += take
        if (e.sniffLen < buf.size) return
        decide(e)
        if (take < len) streamBytes(e, up, b, off + take, len - take)
    }

    private fun decide(e: FlowEntry) {
        if (e.parse != 0) return
        val buf = e.sniff ?: ByteArray(0)
        val n = e.sniffLen
        val up = e.sniffUp
        e.sniff = null
        var chosen: StreamProtocol? = null
        if (n > 0) {
            for (proto in parsers.stream) if (safeAccepts(proto, e, up, buf, n)) { chosen = proto; break }
            if (chosen == null && !up) chosen = PassiveParsers.BANNER
        }
        if (chosen == null) { stopParsing(e); return }
        val parser = chosen.create(e.key, budget, parsers.matcher)
        e.parser = parser
        e.parse = 1
        parser.data(up, buf, 0, n, sink)
        checkPoison(e, parser)
    }

    private fun safeAccepts(proto: StreamProtocol, e: FlowEntry, up: Boolean, buf: ByteArray, n: Int): Boolean =
        try { proto.accepts(e.key, up, buf, 0, n) } catch (_: RuntimeException) { false }

    /** A FIN from one side: deliver what is buffered, tell the parser. */
    private fun finish(e: FlowEntry, up: Boolean) {
        val r = (if (up) e.up else e.down) ?: return
        current = e
        currentUp = up
        r.flush(streamOut)
        if (e.parse == 0) decide(e)
        e.parser?.let { it.end(up, false, sink); checkPoison(e, it) }
    }

    private fun datagram(e: FlowEntry, up: Boolean) {
        if (e.parse == 2) return
        current = e
        if (e.parse == 0) {
            val i = parsers.datagram.indexOfFirst { proto ->
                try { proto.accepts(e.key, up, p.buf, p.payloadAt, p.payloadLen) } catch (_: RuntimeException) { false }
            }
            if (i < 0) { e.parse = 2; return }
            e.datagram = i
            e.parse = 3
        }
        try {
            parsers.datagram[e.datagram].parse(e.key, up, p.buf, p.payloadAt, p.payloadLen, sink)
        } catch (_: RuntimeException) {
            poisoned++ // a parser bug: the built-in ones are property-tested not to throw
            e.parse = 2
        }
    }

    /** Ends [e]: flushes its streams to the parser, reports, and removes it (or lets it linger if closed or reset). */
    private fun end(e: FlowEntry, reason: EndReason) {
        if (!e.ended) {
            current = e
            if (e.parse == 1 || e.parse == 0) {
                for (up in booleanArrayOf(true, false)) {
                    val r = (if (up) e.up else e.down) ?: continue
                    currentUp = up
                    r.flush(streamOut)
                }
                if (e.parse == 0) decide(e)
                e.parser?.let { parser ->
                    val reset = reason != EndReason.CLOSED
                    parser.end(true, reset, sink)
                    parser.end(false, reset, sink)
                }
            }
            release(e)
            e.ended = true
            if (reason == EndReason.EVICTED) evicted++
            if (reason == EndReason.IDLE) idle++
            listener.event(PassiveEvent.Ended(e.key, e.id, now, reason, e.state, e.stats()))
        }
        if (reason != EndReason.CLOSED && reason != EndReason.RESET) table.remove(e)
    }

    private fun release(e: FlowEntry) {
        e.parser?.release()
        e.parser = null
        if (e.parse != 3) e.parse = 2
        e.up?.discard()
        e.down?.discard()
    }

    /** Ends flows idle longer than their protocol's timeout, and drops closed flows after [LINGER]. */
    private fun expire() {
        for (c in 0 until 3) {
            while (true) {
                val h = table.heads[c] ?: break
                if (h.ended) {
                    if (now - h.last < LINGER) break
                    table.remove(h)
                    continue
                }
                if (now - h.last <= idleNanos[c]) break
                end(h, EndReason.IDLE)
            }
        }
    }

    /** The last [OS_CACHE] distinct SYN/SYN-ACK fingerprints and their guesses. */
    private val osCache = object : LinkedHashMap<TcpFingerprint.Key, OsGuess>(64, 0.75f, true) {
        override fun removeEldestEntry(eldest: MutableMap.MutableEntry<TcpFingerprint.Key, OsGuess>?) = size > OS_CACHE
    }
    private val osKey = TcpFingerprint.Key()

    private fun osHint(e: FlowEntry) {
        val synAck = p.flags and ACK != 0
        val guess = TcpFingerprint.guess(p, synAck, os ?: return, osCache, osKey) ?: return
        listener.event(PassiveEvent.OsHint(address(p.ipVersion == 6, p.srcHi, p.srcLo), p.srcPort, !synAck, guess, now))
    }

    private fun arp() {
        if (p.arpOp != 1 && p.arpOp != 2) return
        if (p.arpSenderIp == 0) return // probes from 0.0.0.0
        reportNeighbour(0, p.arpSenderIp.toLong() and 0xffff_ffffL, false, p.arpSenderMac)
    }

    private fun neighbour() {
        if (!p.hasMac) return
        reportNeighbour(p.srcHi, p.srcLo, p.ipVersion == 6, p.srcMac)
    }

    private fun reportNeighbour(hi: Long, lo: Long, v6: Boolean, mac: Long) {
        val i = ((hi * 31 + lo) xor ((hi * 31 + lo) ushr 17)).toInt() and (NEIGHBOURS - 1)
        if (neighbourMac[i] == mac && neighbourLo[i] == lo && neighbourHi[i] == hi) return
        neighbourHi[i] = hi; neighbourLo[i] = lo; neighbourMac[i] = mac
        if (mac == 0L || (mac ushr 40) and 1L == 1L) return // unknown or multicast
        listener.event(PassiveEvent.Neighbour(address(v6, hi, lo), MacAddress(mac).toString(), now))
    }

    private fun address(v6: Boolean, hi: Long, lo: Long): IpAddress = if (!v6) IpAddress.ofV4(lo.toInt()) else {
        val b = ByteArray(16)
        for (i in 0 until 8) { b[i] = (hi ushr (56 - 8 * i)).toByte(); b[8 + i] = (lo ushr (56 - 8 * i)).toByte() }
        IpAddress.ofBytes(b)
    }

    /**
     * Ends every flow (reason [EndReason.CAPTURE_END]), reports [PassiveEvent.Finished] and
     * returns the totals. [truncatedFile], [interrupted] and [kernelDropped] come from the source.
     */
    public fun finish(interrupted: Boolean, truncatedFile: Boolean = false, kernelDropped: Long = -1): CaptureStats {
        for (c in 0 until 3) {
            while (true) {
                val h = table.heads[c] ?: break
                if (h.ended) table.remove(h) else end(h, EndReason.CAPTURE_END)
            }
        }
        val stats = stats(interrupted, truncatedFile, kernelDropped)
        listener.event(PassiveEvent.Finished(stats, now))
        return stats
    }

    /** The totals so far. */
    public fun stats(interrupted: Boolean = false, truncatedFile: Boolean = false, kernelDropped: Long = -1): CaptureStats = CaptureStats(
        frames = frames, bytes = bytes, nonIp = nonIp, malformed = malformed, fragments = fragments, flows = nextId - 1,
        evicted = evicted, idle = idle, droppedBytes = droppedBytes, poisoned = poisoned, peakFlows = peakFlows,
        peakBufferedBytes = budget.peak, firstTimestampNanos = firstTs, lastTimestampNanos = now,
        truncatedFile = truncatedFile, interrupted = interrupted, kernelDropped = kernelDropped,
    )

    private companion object {
        const val OS_CACHE = 1024
        const val FIN = 0x01
        const val SYN = 0x02
        const val RST = 0x04
        const val ACK = 0x10
        const val EXPIRY_INTERVAL = 1_000_000_000L
        const val LINGER = 10_000_000_000L
        const val NEIGHBOURS = 4096
    }
}
