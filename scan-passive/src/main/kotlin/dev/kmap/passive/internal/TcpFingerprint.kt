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
     * so a host's hundredth SYN does not walk the signatures again, nor build the observed text;
     * the caller bounds it. [scratch] is the caller's reusable lookup key (one thread).
     */
    fun guess(p: Packet, synAck: Boolean, db: OsSignatures, cache: MutableMap<Key, OsGuess>? = null, scratch: Key = Key()): OsGuess? {
        val b = p.buf
        var mss = -1
        var scale = -1
        val k = scratch
        k.n = HEADER
        k.quirkBits = 0
        k.quirkOrder = 0L
        var o = p.tcpOptionsAt
        val end = o + p.tcpOptionsLen
        var n = 0
        while (o < end && n++ < 40) {
            val kind = b[o].toInt() and 0xff
            if (kind == 0) {
                val rest = end - o - 1
                k.add(EOL + rest)
                for (i in o + 1 until end) if (b[i].toInt() != 0) { k.quirk(Q_OPT); break }
                break
            }
            if (kind == 1) { k.add(1); o++; continue }
            if (end - o < 2) { k.quirk(Q_BAD); break }
            val len = b[o + 1].toInt() and 0xff
            if (len < 2 || end - o < len) { k.quirk(Q_BAD); break }
            when (kind) {
                2 -> { k.add(2); if (len == 4) mss = FrameDecoder.u16(b, o + 2) else k.quirk(Q_BAD) }
                3 -> { k.add(3); if (len == 3) { scale = b[o + 2].toInt() and 0xff; if (scale > 14) k.quirk(Q_EXWS) } else k.quirk(Q_BAD) }
                4 -> k.add(4)
                5 -> k.add(5)
                8 -> {
                    k.add(8)
                    if (len == 10) {
                        if (FrameDecoder.i32(b, o + 2) == 0) k.quirk(Q_TS1)
                        if (!synAck && FrameDecoder.i32(b, o + 6) != 0) k.quirk(Q_TS2)
                    } else k.quirk(Q_BAD)
                }
                else -> k.add(UNKNOWN + kind)
            }
            o += len
        }
        if (p.ipVersion == 4) {
            if (p.df) { k.quirk(Q_DF); if (p.ipId != 0) k.quirk(Q_IDP) } else if (p.ipId == 0) k.quirk(Q_IDM)
        } else if (p.flowLabel != 0) k.quirk(Q_FLOW)
        if (p.ecn || p.flags and 0xc0 != 0) k.quirk(Q_ECN)
        if (p.seq == 0) k.quirk(Q_SEQ)
        if (p.flags and 0x10 != 0) { if (p.ack == 0) k.quirk(Q_ACKM) } else if (p.ack != 0) k.quirk(Q_ACKP)
        if (p.flags and 0x20 != 0) k.quirk(Q_URGF) else if (p.urgentPointer != 0) k.quirk(Q_UPTR)
        if (p.flags and 0x08 != 0) k.quirk(Q_PUSHF)
        val pclass = if (p.payloadWire > 0) 1 else 0
        // everything the observed text and the match depend on
        k.a[0] = (if (synAck) 1 shl 30 else 0) or (p.ipVersion shl 24) or (p.ttl shl 16) or (pclass shl 15)
        k.a[1] = p.ipOptionBytes
        k.a[2] = p.window
        k.a[3] = mss
        k.a[4] = scale
        if (cache != null) cache[k]?.let { return it }
        val ittl = when { p.ttl <= 32 -> 32; p.ttl <= 64 -> 64; p.ttl <= 128 -> 128; else -> 255 }
        val win = p.window
        val wText = if (mss > 0 && win % mss == 0 && win > 0) "mss*${win / mss}" else win.toString()
        val layoutText = k.layoutText()
        val quirks = k.quirks()
        val observed = "${p.ipVersion}:$ittl+${ittl - p.ttl}:${p.ipOptionBytes}:${if (mss < 0) "*" else mss}:$wText,${if (scale < 0) 0 else scale}:$layoutText:${quirks.joinToString(",")}:${if (pclass == 1) "+" else "0"}"
        return match(p, synAck, db, observed, layoutText, quirks, pclass, mss, scale, ittl).also { cache?.put(k.copy(), it) }
    }

    /**
     * What was observed of a SYN or SYN/ACK, as numbers: the fields the guess depends on, the
     * option layout (one code per option) and the quirks in the order they were found. A
     * mutable lookup key: [copy] before keeping it.
     */
    internal class Key(var a: IntArray = IntArray(HEADER + 41), var n: Int = HEADER, var quirkBits: Int = 0, var quirkOrder: Long = 0) {
        fun add(code: Int) { a[n++] = code }

        fun quirk(q: Int) {
            if (quirkBits and (1 shl q) != 0) return
            quirkBits = quirkBits or (1 shl q)
            quirkOrder = (quirkOrder shl 4) or q.toLong()
        }

        fun copy() = Key(a.copyOf(n), n, quirkBits, quirkOrder)

        fun layoutText(): String = buildString {
            for (i in HEADER until n) {
                if (i > HEADER) append(',')
                val c = a[i]
                when {
                    c >= UNKNOWN -> append('?').append(c - UNKNOWN)
                    c >= EOL -> append("eol+").append(c - EOL)
                    else -> append(OPTION_NAMES[c])
                }
            }
        }

        fun quirks(): Set<String> {
            val set = LinkedHashSet<String>(8)
            val count = Integer.bitCount(quirkBits)
            for (i in count - 1 downTo 0) set += QUIRK_NAMES[((quirkOrder ushr (4 * i)) and 0xf).toInt()]
            return set
        }

        override fun hashCode(): Int {
            var h = n * 31 + quirkOrder.hashCode()
            for (i in 0 until n) h = h * 31 + a[i]
            return h
        }

        override fun equals(other: Any?): Boolean {
            if (other !is Key || other.n != n || other.quirkOrder != quirkOrder || other.quirkBits != quirkBits) return false
            for (i in 0 until n) if (a[i] != other.a[i]) return false
            return true
        }
    }

    private const val HEADER = 5
    private const val EOL = 1000
    private const val UNKNOWN = 2000
    private val OPTION_NAMES = arrayOf("", "nop", "mss", "ws", "sok", "sack", "", "", "ts")
    private const val Q_OPT = 0
    private const val Q_BAD = 1
    private const val Q_EXWS = 2
    private const val Q_TS1 = 3
    private const val Q_TS2 = 4
    private const val Q_DF = 5
    private const val Q_IDP = 6
    private const val Q_IDM = 7
    private const val Q_FLOW = 8
    private const val Q_ECN = 9
    private const val Q_SEQ = 10
    private const val Q_ACKM = 11
    private const val Q_ACKP = 12
    private const val Q_URGF = 13
    private const val Q_UPTR = 14
    private const val Q_PUSHF = 15
    private val QUIRK_NAMES = arrayOf("opt+", "bad", "exws", "ts1-", "ts2+", "df", "id+", "id-", "flow", "ecn", "seq-", "ack-", "ack+", "urgf+", "uptr+", "pushf+")

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
