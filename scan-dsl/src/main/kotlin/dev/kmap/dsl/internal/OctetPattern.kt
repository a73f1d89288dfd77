package dev.kmap.dsl.internal

import dev.kmap.dsl.invalid

/**
 * A parsed nmap IPv4 octet pattern such as `10.0.0-3.1-254` or `192.168.*.1,3,5-7`: four sets
 * of octet values. Addresses are numbered in mixed radix (the last octet varies fastest), so
 * index order is ascending address order and each address appears once.
 */
internal class OctetPattern private constructor(
    /** The sorted distinct values of each octet. */
    private val values: Array<IntArray>,
) {
    /** 256-bit membership mask per octet. */
    private val masks: Array<LongArray> = Array(4) { o ->
        LongArray(4).also { m -> for (v in values[o]) m[v ushr 6] = m[v ushr 6] or (1L shl (v and 63)) }
    }

    /** Number of addresses (at most 2^32). */
    val size: Long = values.fold(1L) { acc, v -> acc * v.size }

    /** The lowest address as 32 bits. */
    val minBits: Long = bitsOf(values[0][0], values[1][0], values[2][0], values[3][0])

    /** The highest address as 32 bits. */
    val maxBits: Long = bitsOf(values[0].last(), values[1].last(), values[2].last(), values[3].last())

    /** Canonical text: per octet `*` or sorted, merged `a`/`a-b` items joined by `,`. */
    val canonical: String = values.joinToString(".") { canonicalOctet(it) }

    /** The 32 bits of the address at [index] in `0 until size`. */
    fun bitsAt(index: Long): Long {
        var i = index
        val v3 = values[3]
        val o3 = v3[(i % v3.size).toInt()]
        i /= v3.size
        val v2 = values[2]
        val o2 = v2[(i % v2.size).toInt()]
        i /= v2.size
        val v1 = values[1]
        val o1 = v1[(i % v1.size).toInt()]
        i /= v1.size
        val o0 = values[0][i.toInt()]
        return bitsOf(o0, o1, o2, o3)
    }

    /** True if the IPv4 address [bits] matches every octet. */
    fun contains(bits: Long): Boolean {
        for (o in 0 until 4) {
            val v = ((bits ushr (24 - 8 * o)) and 0xFF).toInt()
            if (masks[o][v ushr 6] and (1L shl (v and 63)) == 0L) return false
        }
        return true
    }

    companion object {
        private fun bitsOf(a: Int, b: Int, c: Int, d: Int): Long =
            (a.toLong() shl 24) or (b.toLong() shl 16) or (c.toLong() shl 8) or d.toLong()

        private fun canonicalOctet(v: IntArray): String {
            if (v.size == 256) return "*"
            val sb = StringBuilder()
            var i = 0
            while (i < v.size) {
                var j = i
                while (j + 1 < v.size && v[j + 1] == v[j] + 1) j++
                if (sb.isNotEmpty()) sb.append(',')
                sb.append(v[i])
                if (j > i) sb.append('-').append(v[j])
                i = j + 1
            }
            return sb.toString()
        }

        private fun expected(ctx: String): Nothing =
            invalid(
                "invalid octet range ${quote(ctx)} (expected four dot-separated octets, each a number 0..255, " +
                    "a range a-b, a list a,b,c or *)",
            )

        private fun octet(s: String, ctx: String): Int {
            val v = decimalOrMinus1(s, 255)
            if (v < 0) expected(ctx)
            if (v > 255) invalid("invalid octet ${shortToken(s)} in ${quote(ctx)} (octets are 0..255)")
            return v
        }

        /** Parses [text] (already trimmed); [ctx] is the user token quoted in messages. */
        fun parse(text: String, ctx: String = text): OctetPattern {
            val parts = text.split('.')
            if (parts.size != 4) expected(ctx)
            val values = Array(4) { o ->
                val part = parts[o]
                if (part.isEmpty()) expected(ctx)
                val present = BooleanArray(256)
                for (item in part.split(',')) {
                    if (item.isEmpty()) expected(ctx)
                    if (item == "*") {
                        present.fill(true)
                        continue
                    }
                    val dash = item.indexOf('-')
                    if (dash < 0) {
                        present[octet(item, ctx)] = true
                        continue
                    }
                    if (item.indexOf('-', dash + 1) >= 0) expected(ctx)
                    val a = item.substring(0, dash)
                    val b = item.substring(dash + 1)
                    val lo = if (a.isEmpty()) 0 else octet(a, ctx)
                    val hi = if (b.isEmpty()) 255 else octet(b, ctx)
                    if (lo > hi) {
                        invalid("invalid octet range $lo-$hi in ${quote(ctx)} (expected low-high with low <= high)")
                    }
                    for (v in lo..hi) present[v] = true
                }
                var n = 0
                for (p in present) if (p) n++
                val arr = IntArray(n)
                var k = 0
                for (v in 0 until 256) if (present[v]) arr[k++] = v
                arr
            }
            return OctetPattern(values)
        }
    }
}
