package dev.kmap.passive.internal

import dev.kmap.passive.OsGuess
import dev.kmap.passive.OsSignatures

/**
 * p0f 3's view of a SYN or SYN/ACK: initial TTL and distance, IP option length, MSS, window
 * size (as a multiple of the MSS where it is one) and scale, the TCP option layout, quirks and
 * payload class, matched against [OsSignatures]: exact first, then allowing a different TTL
 * ("fuzzy"); specific signatures before generic ones.
 */
internal object TcpFingerprint {
    /**
     * The guess for [p]. [cache] maps what was observed (which decides the match) to the guess,
     * so a host's hundredth SYN does not walk the signatures again; the caller bounds it.
     */
    fun guess(p: Packet, synAck: Boolean, db: OsSignatures, cache: MutableMap<String, OsGuess>? = null): OsGuess? {
        val b = p.buf
        var mss = -1
        var scale = -1
        val layout = StringBuilder(40)
        val quirks = LinkedHashSet<String>(4)
        var o = p.tcpOptionsAt
        val end = o + p.tcpOptionsLen
        fun add(s: String) { if (layout.isNotEmpty()) layout.append(','); layout.append(s) }
        var n = 0
        while (o < end && n++ < 40) {
            val kind = b[o].toInt() and 0xff
            if (kind == 0) {
                val rest = end - o - 1
                add("eol+$rest")
                for (i in o + 1 until end) if (b[i].toInt() != 0) { quirks += "opt+"; break }
                break
            }
            if (kind == 1) { add("nop"); o++; continue }
            if (end - o < 2) { quirks += "bad"; break }
            val len = b[o + 1].toInt() and 0xff
            if (len < 2 || end - o < len) { quirks += "bad"; break }
            when (kind) {
                2 -> { add("mss"); if (len == 4) mss = FrameDecoder.u16(b, o + 2) else quirks += "bad" }
                3 -> { add("ws"); if (len == 3) { scale = b[o + 2].toInt() and 0xff; if (scale > 14) quirks += "exws" } else quirks += "bad" }
                4 -> add("sok")
                5 -> add("sack")
                8 -> {
                    add("ts")
                    if (len == 10) {
                        if (FrameDecoder.i32(b, o + 2) == 0) quirks += "ts1-"
                        if (!synAck && FrameDecoder.i32(b, o + 6) != 0) quirks += "ts2+"
                    } else quirks += "bad"
                }
                else -> add("?$kind")
            }
            o += len
        }
        if (p.ipVersion == 4) {
            if (p.df) { quirks += "df"; if (p.ipId != 0) quirks += "id+" } else if (p.ipId == 0) quirks += "id-"
        } else if (p.flowLabel != 0) quirks += "flow"
        if (p.ecn || p.flags and 0xc0 != 0) quirks += "ecn"
        if (p.seq == 0) quirks += "seq-"
        if (p.flags and 0x10 != 0) { if (p.ack == 0) quirks += "ack-" } else if (p.ack != 0) quirks += "ack+"
        if (p.flags and 0x20 != 0) quirks += "urgf+" else if (p.urgentPointer != 0) quirks += "uptr+"
        if (p.flags and 0x08 != 0) quirks += "pushf+"
        val pclass = if (p.payloadWire > 0) 1 else 0
        val ittl = when { p.ttl <= 32 -> 32; p.ttl <= 64 -> 64; p.ttl <= 128 -> 128; else -> 255 }
        val win = p.window
        val wText = if (mss > 0 && win % mss == 0 && win > 0) "mss*${win / mss}" else win.toString()
        val layoutText = layout.toString()
        val observed = "${p.ipVersion}:$ittl+${ittl - p.ttl}:${p.ipOptionBytes}:${if (mss < 0) "*" else mss}:$wText,${if (scale < 0) 0 else scale}:$layoutText:${quirks.joinToString(",")}:${if (pclass == 1) "+" else "0"}"
        val key = if (synAck) "S$observed" else "C$observed"
        cache?.get(key)?.let { return it }
        return match(p, synAck, db, observed, layoutText, quirks, pclass, mss, scale, ittl).also { cache?.put(key, it) }
    }

    private fun match(
        p: Packet, synAck: Boolean, db: OsSignatures, observed: String, layoutText: String, quirks: Set<String>,
        pclass: Int, mss: Int, scale: Int, ittl: Int,
    ): OsGuess {
        val win = p.window
        val sigs = if (synAck) db.responses else db.requests
        var fuzzy: OsSignatures.Signature? = null
        for (pass in 0..1) for (s in sigs) {
            if (s.generic != (pass == 1)) continue
            if (s.ver != 0 && s.ver != p.ipVersion) continue
            if (s.layout != layoutText) continue
            if (s.quirks != quirks) continue
            if (s.pclass >= 0 && s.pclass != pclass) continue
            if (s.olen != p.ipOptionBytes) continue
            if (s.mss >= 0 && s.mss != mss) continue
            if (s.scale >= 0 && s.scale != (if (scale < 0) 0 else scale)) continue
            val wOk = when (s.wKind) {
                OsSignatures.W_ANY -> true
                OsSignatures.W_EXACT -> win == s.wValue
                OsSignatures.W_MSS -> mss > 0 && win == mss * s.wValue
                OsSignatures.W_MTU -> mss > 0 && win == (mss + if (p.ipVersion == 6) 60 else 40) * s.wValue
                else -> win % s.wValue == 0
            }
            if (!wOk) continue
            if (s.ittl == ittl || (p.ttl <= s.ittl && s.ittl - p.ttl <= 35)) return OsGuess(s.label, s.osClass, s.generic, observed, s.ittl - p.ttl)
            if (fuzzy == null) fuzzy = s
        }
        val f = fuzzy
        return if (f != null) OsGuess(f.label, f.osClass, true, observed, ittl - p.ttl) else OsGuess(null, null, false, observed, ittl - p.ttl)
    }
}
