package dev.kmap.dsl.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.invalid

/**
 * The value of the decimal digits [s], or -1 if [s] is empty or has a non-digit, or
 * `cap + 1` if it exceeds [cap] (so no overflow and no NumberFormatException).
 */
internal fun decimalOrMinus1(s: String, cap: Int): Int {
    if (s.isEmpty()) return -1
    var v = 0
    for (c in s) {
        if (c !in '0'..'9') return -1
        if (v <= cap) v = v * 10 + (c - '0')
    }
    return if (v > cap) cap + 1 else v
}

/** True if [s] is four non-empty runs of decimal digits separated by dots. */
internal fun isDottedQuad(s: String): Boolean {
    var dots = 0
    var run = 0
    for (c in s) {
        when (c) {
            '.' -> { if (run == 0) return false; dots++; run = 0 }
            in '0'..'9' -> run++
            else -> return false
        }
    }
    return dots == 3 && run > 0
}

private fun v4Expected(text: String, ctx: String): Nothing =
    if (text == ctx) {
        invalid("invalid IPv4 address ${quote(text)} (expected four decimal octets 0..255 such as 192.168.0.1)")
    } else {
        invalid("invalid IPv4 address ${quote(text)} in ${quote(ctx)} (expected four decimal octets 0..255 such as 192.168.0.1)")
    }

/** Parses a dotted quad into its 32 bits; [ctx] is the whole user token for messages. */
internal fun parseV4Bits(text: String, ctx: String): Long {
    if (!isDottedQuad(text)) v4Expected(text, ctx)
    var bits = 0L
    for (part in text.split('.')) {
        val v = decimalOrMinus1(part, 255)
        if (v < 0) v4Expected(text, ctx)
        if (v > 255) invalid("invalid octet ${shortToken(part)} in ${quote(ctx)} (octets are 0..255)")
        bits = (bits shl 8) or v.toLong()
    }
    return bits
}

private fun v6Expected(text: String, ctx: String): Nothing {
    val what = if (text == ctx) quote(text) else "${quote(text)} in ${quote(ctx)}"
    invalid(
        "invalid IPv6 address $what (expected eight groups of 1-4 hex digits separated by ':', " +
            "with at most one '::' and optionally a final dotted IPv4 part)",
    )
}

private fun hexGroup(g: String, text: String, ctx: String): Int {
    if (g.isEmpty() || g.length > 4) v6Expected(text, ctx)
    var v = 0
    for (c in g) {
        val d = when (c) {
            in '0'..'9' -> c - '0'
            in 'a'..'f' -> c - 'a' + 10
            in 'A'..'F' -> c - 'A' + 10
            else -> v6Expected(text, ctx)
        }
        v = v * 16 + d
    }
    return v
}

/** Parses the groups of one side of `::` into [out] from [start]; returns the count written. */
private fun groups(side: String, isLastSide: Boolean, out: IntArray, start: Int, text: String, ctx: String): Int {
    if (side.isEmpty()) return 0
    val parts = side.split(':')
    var n = start
    for ((i, g) in parts.withIndex()) {
        if ('.' in g) {
            if (!isLastSide || i != parts.size - 1 || !isDottedQuad(g)) v6Expected(text, ctx)
            if (n + 2 > out.size) v6Expected(text, ctx)
            val bits = parseV4Bits(g, ctx)
            out[n++] = (bits ushr 16).toInt()
            out[n++] = (bits and 0xFFFF).toInt()
        } else {
            if (n + 1 > out.size) v6Expected(text, ctx)
            out[n++] = hexGroup(g, text, ctx)
        }
    }
    return n - start
}

/** Parses an IPv6 literal (full, compressed, or with a dotted IPv4 tail). */
internal fun parseV6(text: String, ctx: String): IpAddress {
    val pct = text.indexOf('%')
    if (pct >= 0) {
        invalid(
            "IPv6 zone ${quote(text.substring(pct))} in ${quote(ctx)} is not supported " +
                "(expected an address without a %zone suffix)",
        )
    }
    val dc = text.indexOf("::")
    val g = IntArray(8)
    if (dc < 0) {
        val n = groups(text, true, g, 0, text, ctx)
        if (n != 8) v6Expected(text, ctx)
    } else {
        if (text.indexOf("::", dc + 1) >= 0) v6Expected(text, ctx)
        val head = text.substring(0, dc)
        val tail = text.substring(dc + 2)
        val tmp = IntArray(9) // room to detect too many groups
        val nh = groups(head, false, tmp, 0, text, ctx)
        val nt = groups(tail, true, tmp, nh, text, ctx)
        if (nh + nt > 7) v6Expected(text, ctx)
        for (i in 0 until nh) g[i] = tmp[i]
        for (i in 0 until nt) g[8 - nt + i] = tmp[nh + i]
    }
    var hi = 0L
    var lo = 0L
    for (i in 0 until 4) hi = (hi shl 16) or g[i].toLong()
    for (i in 4 until 8) lo = (lo shl 16) or g[i].toLong()
    return IpAddress.of(true, hi, lo)
}

/** Parses an IPv4 or IPv6 literal; [ctx] is the whole user token quoted in messages. */
internal fun parseIp(text: String, ctx: String): IpAddress {
    if (text.isEmpty()) {
        if (text == ctx) invalid("empty address (expected an IPv4 or IPv6 address)")
        invalid("empty address in ${quote(ctx)} (expected an IPv4 or IPv6 address)")
    }
    if (':' in text) return parseV6(text, ctx)
    return IpAddress.of(false, 0L, parseV4Bits(text, ctx))
}

/** RFC 5952 text of an IPv6 address: lowercase, no leading zeros, longest zero run (>= 2) as `::`. */
internal fun formatV6(hi: Long, lo: Long): String {
    val g = IntArray(8)
    for (i in 0 until 4) g[i] = ((hi ushr (48 - 16 * i)) and 0xFFFF).toInt()
    for (i in 0 until 4) g[4 + i] = ((lo ushr (48 - 16 * i)) and 0xFFFF).toInt()
    var bestStart = -1
    var bestLen = 0
    var i = 0
    while (i < 8) {
        if (g[i] == 0) {
            var j = i
            while (j < 8 && g[j] == 0) j++
            if (j - i > bestLen) { bestStart = i; bestLen = j - i }
            i = j
        } else {
            i++
        }
    }
    if (bestLen < 2) bestStart = -1
    val sb = StringBuilder(39)
    i = 0
    while (i < 8) {
        if (i == bestStart) {
            sb.append("::")
            i += bestLen
            continue
        }
        if (sb.isNotEmpty() && sb[sb.length - 1] != ':') sb.append(':')
        sb.append(Integer.toHexString(g[i]))
        i++
    }
    return sb.toString()
}

/** Dotted-quad text of the 32 bits in [bits]. */
internal fun formatV4(bits: Long): String =
    "${(bits ushr 24) and 0xFF}.${(bits ushr 16) and 0xFF}.${(bits ushr 8) and 0xFF}.${bits and 0xFF}"
