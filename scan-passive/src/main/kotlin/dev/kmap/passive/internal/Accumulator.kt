package dev.kmap.passive.internal

import dev.kmap.passive.ByteBudget

/**
 * A parser's buffer for a message that spans chunks: at most [max] bytes, each reserved from
 * the run's [budget] in steps, so every parser together stays within the global cap.
 */
internal class Accumulator(private val budget: ByteBudget, private val max: Int) {
    var data: ByteArray = EMPTY
        private set
    var size = 0
        private set
    private var reserved = 0

    /** Appends; false (nothing appended) if it would pass [max] or the budget. */
    fun append(b: ByteArray, off: Int, len: Int): Boolean {
        if (len <= 0) return true
        val need = size + len
        if (need > max) return false
        if (need > data.size) {
            val cap = minOf(max, maxOf(need, data.size * 2, 64))
            if (!budget.reserve(cap - reserved)) return false
            data = data.copyOf(cap)
            reserved = cap
        }
        System.arraycopy(b, off, data, size, len)
        size = need
        return true
    }

    fun clear() { size = 0 }

    /** Gives the memory back (the parser is done or the flow ended). */
    fun release() {
        budget.release(reserved)
        reserved = 0
        data = EMPTY
        size = 0
    }

    companion object {
        private val EMPTY = ByteArray(0)
    }
}

private const val HEX = "0123456789abcdef"

/** Text from wire bytes: ISO-8859-1, control characters as `\xNN`, at most [max] characters. */
internal fun text(b: ByteArray, off: Int, len: Int, max: Int = 256): String {
    val sb = StringBuilder(minOf(len, max))
    var i = off
    val end = off + len
    while (i < end && sb.length < max) {
        val c = b[i].toInt() and 0xff
        if (c in 0x20..0x7e || c >= 0xa0) sb.append(c.toChar()) else sb.append('\\').append('x').append(HEX[c ushr 4]).append(HEX[c and 0xf])
        i++
    }
    return sb.toString()
}
