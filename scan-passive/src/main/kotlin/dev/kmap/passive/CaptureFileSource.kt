package dev.kmap.passive

import java.io.IOException
import java.io.InputStream
import java.nio.file.Files
import java.nio.file.Path

/**
 * Reads pcap (both byte orders, micro- and nanosecond timestamps) and pcapng (section header,
 * interface description with `if_tsresol`, enhanced, simple and obsolete packet blocks; other
 * blocks are skipped) from a stream, with one reused buffer: no allocation per frame. The format
 * is recognised from the first bytes, whatever the file is called.
 *
 * A file cut short inside its last record (a capture that was killed) ends cleanly after the
 * last whole frame and sets [truncated]. A corrupt record (a length beyond [MAX_RECORD], a
 * block length that is not a multiple of 4) raises [CaptureFormatException] naming the offset.
 *
 * ```kotlin
 * CaptureFileSource.open(Path.of("capture.pcap")).use { src -> while (src.read(sink, 4096) >= 0) {} }
 * ```
 */
public class CaptureFileSource(private val input: InputStream, override val description: String) : FrameSource {
    private var buf = ByteArray(1 shl 20)
    private var start = 0 // next unread byte in buf
    private var end = 0 // end of valid bytes in buf
    private var consumed = 0L // file offset of buf[0]
    private var eof = false
    private var closed = false
    private var format = 0 // 0 unknown, 1 pcap, 2 pcapng
    private var bigEndian = false
    private var nanos = false
    private var pcapLinkType = 0
    private var interfaces = IntArray(8)
    private var tsUnits = LongArray(8) // pcapng: timestamp units per second of each interface
    private var interfaceCount = 0

    /** True when the file ended inside a record (the rest of that record is lost). */
    public var truncated: Boolean = false
        private set

    /** Frames read so far. */
    public var frames: Long = 0
        private set

    override fun read(sink: FrameSink, maxFrames: Int): Int {
        if (closed) return -1
        if (format == 0 && !header()) return -1
        var n = 0
        while (n < maxFrames) {
            val got = if (format == 1) pcapRecord(sink) else pcapngBlock(sink)
            if (got < 0) return if (n == 0) -1 else n
            n += got
        }
        frames += n
        return n
    }

    /** Ensures [need] bytes from [start] are buffered; false at the end of input. */
    private fun fill(need: Int): Boolean {
        if (end - start >= need) return true
        if (need > buf.size) {
            buf = buf.copyOf(maxOf(need, buf.size * 2))
        }
        if (start + need > buf.size) { // compact
            System.arraycopy(buf, start, buf, 0, end - start)
            consumed += start
            end -= start
            start = 0
        }
        while (end - start < need && !eof) {
            val r = input.read(buf, end, buf.size - end)
            if (r < 0) eof = true else end += r
        }
        return end - start >= need
    }

    private fun offset() = consumed + start

    private fun u16(i: Int): Int =
        if (bigEndian) ((buf[i].toInt() and 0xff) shl 8) or (buf[i + 1].toInt() and 0xff)
        else (buf[i].toInt() and 0xff) or ((buf[i + 1].toInt() and 0xff) shl 8)

    private fun u32(i: Int): Long = i32(i).toLong() and 0xffff_ffffL

    private fun i32(i: Int): Int =
        if (bigEndian) ((buf[i].toInt() and 0xff) shl 24) or ((buf[i + 1].toInt() and 0xff) shl 16) or ((buf[i + 2].toInt() and 0xff) shl 8) or (buf[i + 3].toInt() and 0xff)
        else (buf[i].toInt() and 0xff) or ((buf[i + 1].toInt() and 0xff) shl 8) or ((buf[i + 2].toInt() and 0xff) shl 16) or ((buf[i + 3].toInt() and 0xff) shl 24)

    private fun header(): Boolean {
        if (!fill(4)) {
            if (end - start == 0) throw CaptureFormatException("$description: empty file (expected a pcap or pcapng header)")
            throw CaptureFormatException("$description: not a pcap or pcapng file (only ${end - start} bytes)")
        }
        bigEndian = true
        when (val magic = i32(start)) {
            0xa1b2c3d4.toInt(), 0xd4c3b2a1.toInt(), 0xa1b23c4d.toInt(), 0x4d3cb2a1.toInt() -> {
                bigEndian = magic == 0xa1b2c3d4.toInt() || magic == 0xa1b23c4d.toInt()
                nanos = magic == 0xa1b23c4d.toInt() || magic == 0x4d3cb2a1.toInt()
                if (!fill(24)) throw CaptureFormatException("$description: pcap header cut short at ${end - start} of 24 bytes")
                pcapLinkType = i32(start + 20) and 0xffff
                start += 24
                format = 1
            }
            0x0a0d0d0a -> format = 2
            else -> throw CaptureFormatException("$description: not a pcap or pcapng file (first bytes 0x%08x)".format(magic))
        }
        return true
    }

    /** One pcap record: 1 delivered, -1 at the end. */
    private fun pcapRecord(sink: FrameSink): Int {
        if (!fill(16)) return end(end - start)
        val sec = u32(start)
        val frac = u32(start + 4)
        val incl = u32(start + 8)
        val orig = u32(start + 12)
        if (incl > MAX_RECORD) throw CaptureFormatException("$description: record at offset ${offset()} claims $incl captured bytes (at most $MAX_RECORD)")
        val len = incl.toInt()
        if (!fill(16 + len)) return end(end - start)
        val ts = sec * 1_000_000_000L + if (nanos) frac else frac * 1000L
        sink.frame(pcapLinkType, buf, start + 16, len, orig.coerceAtMost(Int.MAX_VALUE.toLong()).toInt().coerceAtLeast(len), ts)
        start += 16 + len
        return 1
    }

    /** A partial record at the end of the input: truncated unless nothing was left. */
    private fun end(left: Int): Int {
        if (left > 0) truncated = true
        start = end
        return -1
    }

    /** One pcapng block: 1 when it delivered a frame, 0 for other blocks, -1 at the end. */
    private fun pcapngBlock(sink: FrameSink): Int {
        if (!fill(12)) return end(end - start)
        val rawType = i32(start)
        if (rawType == 0x0a0d0d0a) { // section header: its byte-order magic decides the order
            if (!fill(12)) return end(end - start)
            bigEndian = true
            val bom = i32(start + 8)
            bigEndian = when (bom) {
                0x1a2b3c4d -> true
                0x4d3c2b1a -> false
                else -> throw CaptureFormatException("$description: bad pcapng byte-order magic 0x%08x at offset ${offset()}".format(bom))
            }
            interfaceCount = 0
        }
        val type = i32(start)
        val total = u32(start + 4)
        if (total < 12 || total % 4 != 0L || total > MAX_BLOCK) {
            throw CaptureFormatException("$description: bad pcapng block length $total at offset ${offset()} (a multiple of 4, 12..$MAX_BLOCK)")
        }
        val len = total.toInt()
        if (!fill(len)) return end(end - start)
        val body = start + 8
        val bodyEnd = start + len - 4
        var delivered = 0
        when (type) {
            1 -> if (bodyEnd - body >= 8) addInterface(u16(body), body + 8, bodyEnd)
            6 -> if (bodyEnd - body >= 20) { // enhanced packet block
                val iface = i32(body)
                val ts = (u32(body + 4) shl 32) or u32(body + 8)
                val cap = u32(body + 12)
                val orig = u32(body + 16)
                if (cap > bodyEnd - body - 20) throw CaptureFormatException("$description: packet block at offset ${offset()} claims $cap captured bytes, more than the block holds")
                delivered = deliver(sink, iface, ts, body + 20, cap.toInt(), orig)
            }
            3 -> if (bodyEnd - body >= 4) { // simple packet block: interface 0, no timestamp
                val orig = u32(body)
                val cap = minOf(orig, (bodyEnd - body - 4).toLong()).toInt()
                delivered = deliver(sink, 0, -1, body + 4, cap, orig)
            }
            2 -> if (bodyEnd - body >= 20) { // obsolete packet block
                val iface = u16(body)
                val ts = (u32(body + 4) shl 32) or u32(body + 8)
                val cap = u32(body + 12)
                val orig = u32(body + 16)
                if (cap > bodyEnd - body - 20) throw CaptureFormatException("$description: packet block at offset ${offset()} claims $cap captured bytes, more than the block holds")
                delivered = deliver(sink, iface, ts, body + 20, cap.toInt(), orig)
            }
        }
        start += len
        return delivered
    }

    private fun addInterface(linkType: Int, options: Int, limit: Int) {
        var units = 1_000_000L
        var p = options
        while (limit - p >= 4) {
            val code = u16(p)
            val olen = u16(p + 2)
            if (code == 0 || limit - p - 4 < olen) break
            if (code == 9 && olen >= 1) {
                val v = buf[p + 4].toInt() and 0xff
                units = if (v and 0x80 == 0) (if (v <= 18) pow10(v) else 0) else (if (v and 0x7f <= 62) 1L shl (v and 0x7f) else 0)
            }
            p += 4 + ((olen + 3) and 3.inv())
        }
        if (interfaceCount == interfaces.size) {
            if (interfaceCount >= MAX_INTERFACES) throw CaptureFormatException("$description: more than $MAX_INTERFACES interfaces in one section")
            interfaces = interfaces.copyOf(interfaceCount * 2)
            tsUnits = tsUnits.copyOf(interfaceCount * 2)
        }
        interfaces[interfaceCount] = linkType
        tsUnits[interfaceCount] = units
        interfaceCount++
    }

    private fun deliver(sink: FrameSink, iface: Int, ts: Long, at: Int, cap: Int, orig: Long): Int {
        if (iface < 0 || iface >= interfaceCount) {
            throw CaptureFormatException("$description: packet block at offset ${offset()} names interface $iface, but the section describes $interfaceCount")
        }
        val units = tsUnits[iface]
        val nanosTs = when {
            ts < 0 || units <= 0 -> 0L
            units == 1_000_000_000L -> ts
            units < 1_000_000_000L && 1_000_000_000L % units == 0L -> ts * (1_000_000_000L / units)
            else -> (ts.toDouble() * 1e9 / units).toLong()
        }
        sink.frame(interfaces[iface], buf, at, cap, orig.coerceAtMost(Int.MAX_VALUE.toLong()).toInt().coerceAtLeast(cap), nanosTs)
        return 1
    }

    override fun close() {
        if (closed) return
        closed = true
        input.close()
    }

    /** Opening files. */
    public companion object {
        /** The longest pcap record accepted (libpcap's largest snap length). */
        public const val MAX_RECORD: Long = 262_144

        /** The longest pcapng block accepted. */
        public const val MAX_BLOCK: Long = 16L shl 20

        private const val MAX_INTERFACES = 65536

        private fun pow10(n: Int): Long { var v = 1L; repeat(n) { v *= 10 }; return v }

        /**
         * Opens [path] (pcap or pcapng, told apart by its first bytes). Raises
         * [CaptureFormatException] naming the file when it is neither, [IOException] when it
         * cannot be read.
         *
         * ```kotlin
         * val src = CaptureFileSource.open(Path.of("capture.pcapng"))
         * ```
         */
        public fun open(path: Path): CaptureFileSource {
            val src = CaptureFileSource(Files.newInputStream(path), path.toString())
            try {
                src.header()
            } catch (e: IOException) {
                src.close()
                throw e
            }
            return src
        }
    }
}
