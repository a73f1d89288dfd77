package dev.kmap.packet

/**
 * Remembers recent reply keys in bounded memory so that a reply seen twice (a retransmitted
 * SYN/ACK, the answers to a probe and its retransmission) is reported once. Two generations of
 * open-addressed hash sets: when the current one holds [capacity] keys it becomes the previous
 * one and the old previous is cleared, so between [capacity] and twice that many most recent
 * distinct keys are remembered, in `32 * capacity` bytes. Not thread-safe: use it from the
 * receive thread.
 *
 * ```kotlin
 * val seen = DuplicateFilter(capacity = 1 shl 16)
 * if (seen.firstTime(key.hash(reply.destination, reply.source, reply.destinationPort, reply.sourcePort))) report(reply)
 * ```
 *
 * @property capacity keys per generation.
 */
public class DuplicateFilter(public val capacity: Int = 1 shl 16) {
    init {
        require(capacity in 1..(1 shl 26)) { "capacity must be 1..2^26: $capacity" }
    }

    private val size = Integer.highestOneBit(capacity * 2 - 1).coerceAtLeast(1) shl 1 // >= 2 * capacity
    private val mask = size - 1
    private var current = LongArray(size)
    private var previous = LongArray(size)
    private var count = 0

    /**
     * True when [key] was not seen recently (and remembers it), false for a repeat.
     *
     * ```kotlin
     * seen.firstTime(42); seen.firstTime(42) // true, then false
     * ```
     */
    public fun firstTime(key: Long): Boolean {
        val k = if (key == EMPTY) ZERO_STANDIN else key
        if (contains(previous, k)) return false
        var i = slot(k)
        while (true) {
            val v = current[i]
            if (v == k) return false
            if (v == EMPTY) break
            i = (i + 1) and mask
        }
        if (count >= capacity) {
            rotate()
            i = slot(k)
            while (current[i] != EMPTY) i = (i + 1) and mask
        }
        current[i] = k
        count++
        return true
    }

    /**
     * Forgets everything.
     *
     * ```kotlin
     * seen.clear(); seen.firstTime(42) // true again
     * ```
     */
    public fun clear() {
        current.fill(EMPTY)
        previous.fill(EMPTY)
        count = 0
    }

    private fun contains(table: LongArray, k: Long): Boolean {
        var i = slot(k)
        while (true) {
            val v = table[i]
            if (v == k) return true
            if (v == EMPTY) return false
            i = (i + 1) and mask
        }
    }

    private fun rotate() {
        val old = previous
        previous = current
        old.fill(EMPTY)
        current = old
        count = 0
    }

    private fun slot(k: Long): Int = ((k * -0x61c8864680b583ebL) ushr 32).toInt() and mask

    private companion object {
        const val EMPTY = 0L
        const val ZERO_STANDIN = 0x5bd1e9955bd1e995L
    }
}
