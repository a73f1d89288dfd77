package dev.kmap.store.internal

import dev.kmap.dsl.Protocol
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.store.StoreException
import java.nio.ByteBuffer
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction

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
        private val strings = HashMap<String, Int>()
        private val stringList = ArrayList<String>()
        private val body = Out(256)
        private var lastReason: String? = null
        private var lastReasonIndex = 0

        /** The ports added so far. */
        var count: Int = 0
            private set

        /** Appends [p] ([isPlain]); a port added twice is read back as the later one. */
        fun add(p: PortResult) {
            require(count < MAX_PORTS) { "more than $MAX_PORTS ports in one chunk" }
            val rtt = p.rttMicros
            require(rtt == null || rtt in 0 until Long.MAX_VALUE) { "RTT $rtt out of range" }
            val reason = p.reason
            if (reason !== lastReason) { lastReasonIndex = index(reason); lastReason = reason }
            body.byte(protocolCode[p.protocol.ordinal])
            body.byte(p.port ushr 8); body.byte(p.port)
            body.byte(stateCode[p.state.ordinal])
            body.varint(lastReasonIndex.toLong())
            val service = p.service
            body.varint(if (service == null) 0L else index(service) + 1L)
            body.varint(if (rtt == null) 0L else rtt + 1)
            count++
        }

        private fun index(s: String): Int = strings.getOrPut(s) { stringList += s; stringList.size - 1 }

        /** The chunk's bytes. */
        fun toByteArray(): ByteArray {
            val out = Out(body.size + stringList.size * 8 + 16)
            out.byte(FORMAT)
            out.varint(stringList.size.toLong())
            for (s in stringList) {
                val bytes = s.toByteArray(Charsets.UTF_8)
                out.varint(bytes.size.toLong())
                out.write(bytes, 0, bytes.size)
            }
            out.varint(count.toLong())
            out.write(body.buffer(), 0, body.size)
            return out.toByteArray()
        }
    }

    /** The ports of a chunk, in the order they were written; [what] names the chunk in the message of a [StoreException]. */
    fun decode(data: ByteArray, what: String): List<PortResult> {
        val r = In(data, what)
        val format = r.byte()
        if (format != FORMAT) r.bad("unknown format $format (expected $FORMAT)")
        val stringCount = r.count(data.size, "strings")
        val decoder = Charsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
        val strings = Array(stringCount) {
            val n = r.count(Int.MAX_VALUE, "string length")
            if (n > data.size - r.at) r.bad("a string of $n bytes runs past the end")
            val s = try {
                decoder.decode(ByteBuffer.wrap(data, r.at, n)).toString()
            } catch (e: CharacterCodingException) {
                r.bad("a string is not UTF-8")
            }
            r.at += n
            s
        }
        val count = r.count(MAX_PORTS, "ports")
        val ports = ArrayList<PortResult>(minOf(count, data.size / 6 + 1))
        repeat(count) {
            val protocol = PROTOCOLS.getOrNull(r.byte()) ?: r.bad("unknown protocol code")
            val port = (r.byte() shl 8) or r.byte()
            val state = STATES.getOrNull(r.byte()) ?: r.bad("unknown state code")
            val reason = strings.getOrNull(r.count(stringCount - 1, "reason index")) ?: r.bad("no strings")
            val serviceIndex = r.count(stringCount, "service index")
            val rtt = r.varint()
            if (rtt < 0) r.bad("RTT out of range")
            ports += PortResult(
                port = port, protocol = protocol, state = state, reason = reason,
                service = if (serviceIndex == 0) null else strings[serviceIndex - 1],
                rttMicros = if (rtt == 0L) null else rtt - 1,
            )
        }
        if (r.at != data.size) r.bad("${data.size - r.at} bytes after the last port")
        return ports
    }

    /** A growing byte buffer (not ByteArrayOutputStream: its synchronised write per byte was most of [encode]). */
    private class Out(capacity: Int) {
        private var buf = ByteArray(maxOf(16, capacity))
        var size = 0
            private set

        private fun room(n: Int) {
            if (size + n > buf.size) buf = buf.copyOf(maxOf(size + n, buf.size * 2))
        }

        fun byte(v: Int) {
            room(1)
            buf[size++] = v.toByte()
        }

        fun varint(value: Long) {
            room(10)
            var v = value
            while (v and 0x7fL.inv() != 0L) {
                buf[size++] = ((v and 0x7f) or 0x80).toByte()
                v = v ushr 7
            }
            buf[size++] = v.toByte()
        }

        fun write(bytes: ByteArray, from: Int, n: Int) {
            room(n)
            System.arraycopy(bytes, from, buf, size, n)
            size += n
        }

        fun buffer(): ByteArray = buf
        fun toByteArray(): ByteArray = buf.copyOf(size)
    }

    private class In(private val data: ByteArray, private val what: String) {
        var at = 0

        fun bad(why: String): Nothing = throw StoreException("$what is corrupt: $why (at byte $at of ${data.size})")

        fun byte(): Int = if (at < data.size) data[at++].toInt() and 0xff else bad("it ends early")

        /** A varint of at most 63 bits (a longer one is corrupt). */
        fun varint(): Long {
            var v = 0L
            var shift = 0
            while (true) {
                val b = byte()
                if (shift == 63 && b > 0) bad("a number is too long")
                v = v or ((b and 0x7f).toLong() shl shift)
                if (b and 0x80 == 0) return v
                shift += 7
                if (shift > 63) bad("a number is too long")
            }
        }

        /** A varint between 0 and [max]. */
        fun count(max: Int, name: String): Int {
            val v = varint()
            if (v < 0 || v > max) bad("$name $v out of range (0..$max)")
            return v.toInt()
        }
    }
}
