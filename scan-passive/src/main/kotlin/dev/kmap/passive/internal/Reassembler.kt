package dev.kmap.passive.internal

import dev.kmap.passive.ByteBudget

/** Where [Reassembler] puts in-order bytes and gaps of one direction. */
internal interface StreamOut {
    fun bytes(buffer: ByteArray, offset: Int, length: Int)
    fun gap(length: Int)
}

/**
 * In-order bytes of one direction of a TCP flow. A segment at the expected sequence number is
 * handed on without copying; one further ahead is copied into a sorted list if it lies within
 * the window ([window] bytes past the expected number) and the per-flow and global buffers have
 * room, and is dropped and counted otherwise. Retransmitted bytes are dropped; overlaps keep
 * the bytes that arrived first. A segment beyond the window means the hole before it will not
 * be filled in time: the hole is reported as a gap and the stream moves on. Sequence numbers
 * are compared modulo 2^32.
 */
internal class Reassembler(private val window: Int, private val budget: ByteBudget) {
    private class Segment(val seq: Int, val data: ByteArray, val wire: Int) { var next: Segment? = null }

    private var next = 0
    private var started = false
    private var head: Segment? = null
    var buffered = 0
        private set

    var delivered = 0L
    var retransmitted = 0L
    var outOfOrder = 0L
    var dropped = 0L
    var gaps = 0L

    /**
     * A segment: [seq] of its first byte (after a SYN's own number), [cap] bytes captured at
     * [off] and [wire] bytes on the wire ([wire] >= [cap]; more under a snap length).
     */
    fun segment(seq: Int, syn: Boolean, buf: ByteArray, off: Int, cap: Int, wire: Int, flowBuffered: Int, out: StreamOut): Int {
        var s = if (syn) seq + 1 else seq
        if (!started) { next = s; started = true }
        if (wire <= 0) return 0
        var o = off
        var c = cap
        var w = wire
        val rel = s - next
        if (rel < 0) {
            val skip = -rel.toLong()
            if (skip >= w) { retransmitted += w; return 0 }
            retransmitted += skip
            val cs = minOf(skip, c.toLong()).toInt()
            o += cs; c -= cs; w -= skip.toInt(); s = next
        } else if (rel > 0) {
            if (rel > MAX_JUMP) { dropped += w; return 0 } // not this stream's numbers
            if (rel.toLong() + w > window) {
                // the hole cannot be filled within the window: give it up
                flush(out)
                val hole = s - next
                if (hole > 0) { gaps += hole; out.gap(hole); next = s } else if (hole < 0) return segment(s, false, buf, o, c, w, 0, out)
            } else {
                if (flowBuffered + c > window || !budget.reserve(c + OVERHEAD)) { dropped += w; return 0 }
                insert(Segment(s, buf.copyOfRange(o, o + c), w))
                outOfOrder += w
                buffered += c
                return c
            }
        }
        emit(buf, o, c, w, out)
        drain(out)
        return 0
    }

    private fun emit(buf: ByteArray, off: Int, cap: Int, wire: Int, out: StreamOut) {
        if (cap > 0) { delivered += cap; out.bytes(buf, off, cap) }
        if (wire > cap) { gaps += (wire - cap); out.gap(wire - cap) }
        next += wire
    }

    private fun insert(seg: Segment) {
        var p: Segment? = null
        var c = head
        while (c != null && c.seq - seg.seq <= 0) { p = c; c = c.next }
        seg.next = c
        if (p == null) head = seg else p.next = seg
    }

    /** Delivers buffered segments that are now in order; the rest stay. */
    private fun drain(out: StreamOut) {
        while (true) {
            val h = head ?: return
            val rel = h.seq - next
            if (rel > 0) return
            head = h.next
            release(h)
            val skip = -rel.toLong()
            if (skip >= h.wire) { retransmitted += h.wire; continue }
            retransmitted += skip
            val cs = minOf(skip, h.data.size.toLong()).toInt()
            emit(h.data, cs, h.data.size - cs, h.wire - skip.toInt(), out)
        }
    }

    /** Delivers everything buffered, reporting the holes between segments as gaps (FIN, RST, end). */
    fun flush(out: StreamOut) {
        while (true) {
            val h = head ?: return
            val hole = h.seq - next
            if (hole > 0) { gaps += hole; out.gap(hole); next = h.seq }
            drain(out)
        }
    }

    /** Drops everything buffered (the flow ended or nobody wants the bytes). */
    fun discard() {
        var h = head
        while (h != null) { release(h); h = h.next }
        head = null
    }

    private fun release(s: Segment) {
        buffered -= s.data.size
        budget.release(s.data.size + OVERHEAD)
    }

    companion object {
        /** A segment further ahead than this is not from this stream (a bogus or reused sequence number). */
        const val MAX_JUMP = 1 shl 30
        /** What a buffered segment costs besides its bytes (object headers, links). */
        const val OVERHEAD = 48
    }
}
