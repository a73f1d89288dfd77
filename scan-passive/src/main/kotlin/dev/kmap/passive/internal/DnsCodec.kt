package dev.kmap.passive.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.passive.DnsQuestion
import dev.kmap.passive.DnsRecord
import dev.kmap.passive.PassiveMessage

/**
 * Total DNS message parsing: header, questions, answer records (A, AAAA, CNAME, NS, PTR, MX,
 * TXT; others by length). Null when the header or a question is malformed; answers that do
 * not parse end the list. Compression pointers are followed at most [MAX_JUMPS] times, names
 * are at most 255 bytes, counts are capped.
 */
internal object DnsCodec {
    private const val MAX_JUMPS = 16
    private const val MAX_QUESTIONS = 16
    private const val MAX_ANSWERS = 64

    fun parse(b: ByteArray, off: Int, len: Int, overTcp: Boolean): PassiveMessage.Dns? {
        if (len < 12 || off < 0 || off + len > b.size) return null
        val end = off + len
        val id = FrameDecoder.u16(b, off)
        val flags = FrameDecoder.u16(b, off + 2)
        val qd = FrameDecoder.u16(b, off + 4)
        val an = FrameDecoder.u16(b, off + 6)
        if (qd > MAX_QUESTIONS) return null
        val pos = intArrayOf(off + 12)
        val questions = ArrayList<DnsQuestion>(qd)
        repeat(qd) {
            val name = name(b, off, end, pos) ?: return null
            if (end - pos[0] < 4) return null
            questions += DnsQuestion(name, FrameDecoder.u16(b, pos[0]))
            pos[0] += 4
        }
        val answers = ArrayList<DnsRecord>()
        for (i in 0 until minOf(an, MAX_ANSWERS)) {
            val owner = name(b, off, end, pos) ?: break
            if (end - pos[0] < 10) break
            val type = FrameDecoder.u16(b, pos[0])
            val ttl = FrameDecoder.i32(b, pos[0] + 4).toLong() and 0xffff_ffffL
            val rdlen = FrameDecoder.u16(b, pos[0] + 8)
            val rd = pos[0] + 10
            if (end - rd < rdlen) break
            val value = when {
                type == 1 && rdlen == 4 -> IpAddress.ofBytes(b.copyOfRange(rd, rd + 4)).toString()
                type == 28 && rdlen == 16 -> IpAddress.ofBytes(b.copyOfRange(rd, rd + 16)).toString()
                type == 5 || type == 2 || type == 12 -> name(b, off, rd + rdlen, intArrayOf(rd), end) ?: break
                type == 15 && rdlen >= 3 -> (name(b, off, rd + rdlen, intArrayOf(rd + 2), end) ?: break).let { "${FrameDecoder.u16(b, rd)} $it" }
                type == 16 -> txt(b, rd, rdlen)
                else -> "<$rdlen bytes>"
            }
            answers += DnsRecord(owner, type, ttl, value)
            pos[0] = rd + rdlen
        }
        return PassiveMessage.Dns(id, flags and 0x8000 != 0, (flags ushr 11) and 0xf, flags and 0xf, questions, answers, overTcp)
    }

    /** The name at pos[0] (message starts at [msg]); advances pos past it; null if malformed. */
    private fun name(b: ByteArray, msg: Int, end: Int, pos: IntArray, msgEnd: Int = end): String? {
        val sb = StringBuilder(32)
        var p = pos[0]
        var jumped = false
        var jumps = 0
        while (true) {
            if (p >= (if (jumped) msgEnd else end)) return null
            val l = b[p].toInt() and 0xff
            when {
                l == 0 -> { if (!jumped) pos[0] = p + 1; break }
                l and 0xc0 == 0xc0 -> {
                    if (p + 1 >= (if (jumped) msgEnd else end)) return null
                    val target = msg + (((l and 0x3f) shl 8) or (b[p + 1].toInt() and 0xff))
                    if (++jumps > MAX_JUMPS || target >= msgEnd) return null
                    if (!jumped) pos[0] = p + 2
                    jumped = true
                    p = target
                }
                l and 0xc0 != 0 -> return null
                else -> {
                    if (p + 1 + l > (if (jumped) msgEnd else end)) return null
                    if (sb.isNotEmpty()) sb.append('.')
                    for (i in p + 1..p + l) {
                        val c = b[i].toInt() and 0xff
                        if (c in 0x21..0x7e && c != '.'.code) sb.append(c.toChar()) else sb.append("\\%03d".format(c))
                    }
                    if (sb.length > 255) return null
                    p += 1 + l
                }
            }
        }
        return sb.toString().ifEmpty { "." }
    }

    private fun txt(b: ByteArray, at: Int, len: Int): String {
        val sb = StringBuilder()
        var p = at
        val end = at + len
        while (p < end && sb.length < 512) {
            val l = b[p].toInt() and 0xff
            val n = minOf(l, end - p - 1)
            sb.append(text(b, p + 1, n, 512 - sb.length))
            p += 1 + l
        }
        return sb.toString()
    }
}
