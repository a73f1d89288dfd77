package dev.kmap.dsl.internal

/**
 * A seeded, full-cycle permutation of `0 until n` (n up to 2^62) computed one element at a time
 * in O(1) memory, as zmap and masscan do for their scan order.
 *
 * Design: a keyed Feistel network over the smallest power-of-two domain `2^k >= n`, with
 * cycle-walking to stay inside `0 until n`.
 * - The k-bit value is split into a left half of `k / 2` bits and a right half of the rest. Each
 *   of [ROUNDS] half-rounds replaces one half by `half xor F(otherHalf, roundKey)` (alternating),
 *   which is invertible whatever F is, so the network is a bijection of `0 until 2^k` even when
 *   the halves differ in width.
 * - F is the splitmix64 finaliser of `otherHalf xor roundKey`, truncated to the half's width; the
 *   round keys are a splitmix64 stream started at the seed, so equal seeds give equal orders.
 * - Cycle-walking: `apply(x)` re-encrypts until the value falls below n. Because `2^k < 2n`, that
 *   takes fewer than two encryptions on average, and restricting a permutation this way is again
 *   a permutation of `0 until n`.
 *
 * A multiplicative group modulo a prime (zmap) was not chosen: it needs a prime and a generator
 * per size and 128-bit modular products, while the Feistel needs only shifts, xors and multiplies.
 */
internal class FeistelPermutation(private val n: Long, seed: Long) {
    private val bits: Int = if (n <= 1) 0 else 64 - java.lang.Long.numberOfLeadingZeros(n - 1)
    private val leftBits = bits / 2
    private val rightBits = bits - leftBits
    private val leftMask = (1L shl leftBits) - 1
    private val rightMask = (1L shl rightBits) - 1
    private val keys = LongArray(ROUNDS).also { k ->
        var state = seed
        for (i in k.indices) {
            state += GOLDEN
            k[i] = mix64(state)
        }
    }

    /** The element at position [x] (in `0 until n`) of the permuted order. */
    fun apply(x: Long): Long {
        if (n <= 1) return x
        var y = x
        do {
            y = encrypt(y)
        } while (y >= n)
        return y
    }

    private fun encrypt(x: Long): Long {
        var l = x ushr rightBits
        var r = x and rightMask
        for (round in 0 until ROUNDS) {
            if (round and 1 == 0) {
                l = (l xor mix64(r xor keys[round])) and leftMask
            } else {
                r = (r xor mix64(l xor keys[round])) and rightMask
            }
        }
        return (l shl rightBits) or r
    }

    private companion object {
        const val ROUNDS = 8
        val GOLDEN: Long = 0x9E3779B97F4A7C15uL.toLong()
        val M1: Long = 0xBF58476D1CE4E5B9uL.toLong()
        val M2: Long = 0x94D049BB133111EBuL.toLong()

        fun mix64(z0: Long): Long {
            var z = z0
            z = (z xor (z ushr 30)) * M1
            z = (z xor (z ushr 27)) * M2
            return z xor (z ushr 31)
        }
    }
}
