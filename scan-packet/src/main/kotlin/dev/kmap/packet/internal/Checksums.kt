package dev.kmap.packet.internal

import dev.kmap.dsl.IpAddress

/**
 * The Internet checksum (RFC 1071) as sums of 16-bit words in a Long, folded at the end. Sums of
 * up to 2^47 words cannot overflow, so partial sums add freely.
 */
internal object Checksums {
    /** Sum of the big-endian 16-bit words of [length] bytes at [offset] (an odd tail is padded with 0). */
    fun sum(b: ByteArray, offset: Int, length: Int): Long {
        var s = 0L
        var i = offset
        val end = offset + length
        while (i + 1 < end) {
            s += ((b[i].toInt() and 0xff) shl 8) or (b[i + 1].toInt() and 0xff)
            i += 2
        }
        if (i < end) s += (b[i].toInt() and 0xff) shl 8
        return s
    }

    /** Sum of the four 16-bit words of [v]. */
    fun words(v: Long): Long = (v ushr 48) + ((v ushr 32) and 0xffff) + ((v ushr 16) and 0xffff) + (v and 0xffff)

    /** Sum of the two 16-bit words of [v]. */
    fun words(v: Int): Long = ((v ushr 16) and 0xffff).toLong() + (v and 0xffff)

    /** Sum of the words of [a] (2 for IPv4, 8 for IPv6). */
    fun words(a: IpAddress): Long = if (a.isV6) words(a.high) + words(a.low) else words(a.low.toInt())

    /** The checksum field for [sum]: folded to 16 bits and complemented. */
    fun finish(sum: Long): Int {
        var s = sum
        while (s ushr 16 != 0L) s = (s and 0xffff) + (s ushr 16)
        return s.toInt().inv() and 0xffff
    }
}
