package dev.kmap.dsl

import dev.kmap.dsl.internal.decimalOrMinus1
import dev.kmap.dsl.internal.quote
import dev.kmap.dsl.internal.shortToken
import kotlinx.serialization.Serializable

/**
 * Shard [index] of [count] (1-based, as masscan's `--shard 1/3`): the shards `1/N .. N/N` of a
 * target set are disjoint and their union is the whole set. Shard `i/N` takes the positions
 * `p` of the (possibly permuted) index sequence with `p % N == i - 1`.
 *
 * [count] is 1..[MAX_COUNT] and [index] is 1..[count]; other values raise [InvalidSpecException].
 *
 * ```kotlin
 * val s = Shard.parse("2/4")
 * ```
 */
@Serializable
public data class Shard(val index: Int, val count: Int) {
    init {
        if (count !in 1..MAX_COUNT) invalid("invalid shard count $count in $index/$count (expected 1..$MAX_COUNT)")
        if (index !in 1..count) invalid("invalid shard index $index in $index/$count (expected 1..$count)")
    }

    public companion object {
        /**
         * The largest shard count.
         *
         * ```kotlin
         * Shard(1, Shard.MAX_COUNT)
         * ```
         */
        public const val MAX_COUNT: Int = 1_000_000

        /** The whole set: shard 1 of 1. */
        public val WHOLE: Shard = Shard(1, 1)

        /**
         * Parses `i/N`; raises [InvalidSpecException].
         *
         * ```kotlin
         * Shard.parse("2/4") // Shard(2, 4)
         * ```
         */
        public fun parse(text: String): Shard {
            val t = text.trim()
            val slash = t.indexOf('/')
            val i = if (slash < 0) -1 else decimalOrMinus1(t.substring(0, slash), MAX_COUNT)
            val n = if (slash < 0) -1 else decimalOrMinus1(t.substring(slash + 1), MAX_COUNT)
            if (i < 0 || n < 0) {
                invalid("invalid shard ${quote(text)} (expected i/N with 1 <= i <= N <= $MAX_COUNT, such as 2/4)")
            }
            if (n !in 1..MAX_COUNT) {
                invalid("invalid shard count ${shortToken(t.substring(slash + 1))} in ${quote(text)} (expected 1..$MAX_COUNT)")
            }
            if (i !in 1..n) {
                invalid("invalid shard index ${shortToken(t.substring(0, slash))} in ${quote(text)} (expected 1..$n)")
            }
            return Shard(i, n)
        }
    }
}
