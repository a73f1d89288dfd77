package dev.kmap.store.internal

import dev.kmap.dsl.Protocol
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.store.StoreException

/**
 * The compact form of a host's plain ports (`kmap_port_chunk.data`): the closed, filtered and
 * other not-open ports that carry nothing but protocol, port, state, reason, service name and
 * RTT ([isPlain]). A 65535-port scan has a few open ports and tens of thousands of such ports;
 * as one row each they were most of what storing the scan cost. The writer appends one chunk per
 * host per commit; a port in a later chunk supersedes the same port in an earlier one, and a port
 * row supersedes any chunk entry (see [ScanReader]).
 *
 * Layout (all integers unsigned LEB128 varints unless said otherwise):
 * `FORMAT` byte; string count, then each string as byte length and UTF-8 bytes; port count, then
 * per port: protocol code byte, port as two bytes big-endian, state code byte, reason string
 * index, service string index + 1 (0: none), RTT + 1 (0: none).
 *
 * [decode] reads bytes that a user may hand us (a store file): it is total, and anything but a
 * well-formed chunk is one [StoreException].
 */
internal object PortChunks {
    private const val FORMAT = 1

    /** Codes of the stored values: fixed here, never enum ordinals (a reordered enum must not change a store). */
    private val PROTOCOLS = listOf(Protocol.TCP, Protocol.UDP)
    private val STATES = listOf(
        PortState.OPEN, PortState.CLOSED, PortState.FILTERED, PortState.UNFILTERED, PortState.OPEN_FILTERED, PortState.CLOSED_FILTERED,
    )
    private val protocolCode = IntArray(Protocol.entries.size) { i -> PROTOCOLS.indexOf(Protocol.entries[i]) }
    private val stateCode = IntArray(PortState.entries.size) { i -> STATES.indexOf(PortState.entries[i]) }

    /** At most this many ports in one chunk (two protocols of 65536 ports each). */
    const val MAX_PORTS = 2 * 65_536

    /** Whether [p] goes into a chunk: not open, and nothing beyond the plain fields (service detection, scripts). */
    fun isPlain(p: PortResult): Boolean = p.state != PortState.OPEN && p.serviceInfo == null && p.scripts.isEmpty()

    /** The chunk of [ports] (all [isPlain], at most [MAX_PORTS]). */
    fun encode(ports: Collection<PortResult>): ByteArray = Builder().apply { for (p in ports) add(p) }.toByteArray()

    /**
     * One chunk built port by port, as the writer stages them: no object is kept per port, and the
     * work per port is one small method (a loop over all ports in one method would run interpreted
     * for most of a short scan; a method called per port is compiled after a few hundred calls).
     */
    class Builder {
        private val strings = ChunkStrings()
        private val body = ChunkOut(256)
        private val reasons = ReasonCache(strings)

        /** The ports added so far. */
        var count: Int = 0
            private set

        /** Appends [p] ([isPlain]); a port added twice is read back as the later one. */
        fun add(p: PortResult) {
            require(count < MAX_PORTS) { "more than $MAX_PORTS ports in one chunk" }
            write(body, strings, reasons, p)
            count++
        }

        /** The chunk's bytes. */
        fun toByteArray(): ByteArray = chunkBytes(FORMAT, strings, count, body)
    }

    /** The string index of the last reason written (most ports of a host share one), in front of [strings]. */
    class ReasonCache(private val strings: ChunkStrings) {
        private var last: String? = null
        private var lastIndex = 0

        fun of(reason: String): Int {
            if (reason !== last) { lastIndex = strings.of(reason); last = reason }
            return lastIndex
        }
    }

    /** Writes one port (protocol, port, state, reason, service, RTT) with its strings in [strings]. */
    fun write(out: ChunkOut, strings: ChunkStrings, reasons: ReasonCache, p: PortResult) {
        val rtt = p.rttMicros
        require(rtt == null || rtt in 0 until Long.MAX_VALUE) { "RTT $rtt out of range" }
        out.byte(protocolCode[p.protocol.ordinal])
        out.byte(p.port ushr 8); out.byte(p.port)
        out.byte(stateCode[p.state.ordinal])
        out.varint(reasons.of(p.reason).toLong())
        val service = p.service
        out.varint(if (service == null) 0L else strings.of(service) + 1L)
        out.varint(if (rtt == null) 0L else rtt + 1)
    }

    /** Reads what [write] wrote, with the chunk's [strings]. */
    fun read(r: ChunkIn, strings: Array<String>): PortResult {
        val protocol = PROTOCOLS.getOrNull(r.byte()) ?: r.bad("unknown protocol code")
        val port = (r.byte() shl 8) or r.byte()
        val state = STATES.getOrNull(r.byte()) ?: r.bad("unknown state code")
        val reason = strings.getOrNull(r.count(strings.size - 1, "reason index")) ?: r.bad("no strings")
        val serviceIndex = r.count(strings.size, "service index")
        val rtt = r.varint()
        if (rtt < 0) r.bad("RTT out of range")
        return PortResult(
            port = port, protocol = protocol, state = state, reason = reason,
            service = if (serviceIndex == 0) null else strings[serviceIndex - 1],
            rttMicros = if (rtt == 0L) null else rtt - 1,
        )
    }

    /** The ports of a chunk, in the order they were written; [what] names the chunk in the message of a [StoreException]. */
    fun decode(data: ByteArray, what: String): List<PortResult> {
        val r = ChunkIn(data, what)
        val strings = r.header(FORMAT)
        val count = r.count(MAX_PORTS, "ports")
        val ports = ArrayList<PortResult>(minOf(count, data.size / 6 + 1))
        repeat(count) { ports += read(r, strings) }
        r.end()
        return ports
    }
}
