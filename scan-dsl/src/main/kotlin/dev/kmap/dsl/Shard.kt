package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * Shard [index] of [count] (1-based, as masscan's `--shard 1/3`): the shards `1/N .. N/N` of a
 * target set are disjoint and their union is the whole set.
 *
 * ```kotlin
 * val s = Shard.parse("2/4")
 * ```
 */
@Serializable
public data class Shard(val index: Int, val count: Int) {
    public companion object {
        /** The whole set: shard 1 of 1. */
        public val WHOLE: Shard = Shard(1, 1)

        /** Parses `i/N`; raises [InvalidSpecException]. */
        public fun parse(text: String): Shard = TODO()
    }
}
