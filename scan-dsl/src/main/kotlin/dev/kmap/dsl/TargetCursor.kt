package dev.kmap.dsl

/**
 * Walks a [TargetExpansion] one host at a time and says where it is: [position] is the walk
 * index of the host [next] returned last (0 for this shard's first position, `indexSize - 1` for
 * its last). Positions of excluded or duplicate hosts are passed over, so positions have gaps.
 * A walk started at position `k` ([TargetExpansion.cursor]) returns exactly the hosts an
 * uninterrupted walk returns from position `k` on, in the same (seeded, sharded) order: this is
 * the seam `--resume` builds on.
 *
 * ```kotlin
 * val cursor = targets.expand().cursor(start = 1_000)
 * while (cursor.hasNext()) { val host = cursor.next(); println("${cursor.position}: $host") }
 * ```
 */
public interface TargetCursor : Iterator<TargetHost> {
    /** The walk index of the host last returned by [next]; before the first call, `start - 1`. */
    public val position: Long
}
