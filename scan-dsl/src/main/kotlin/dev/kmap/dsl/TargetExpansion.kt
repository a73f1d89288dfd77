package dev.kmap.dsl

/**
 * The lazily expanded hosts of [Targets]: iterating never materialises the whole set.
 *
 * ```kotlin
 * val e = Targets(listOf(TargetSpec.parse("10.0.0.0/8"))).expand()
 * println(e.indexSize) // 16777216
 * val rest = e.cursor(start = 4_096) // the same order, from walk position 4096 on
 * ```
 */
public interface TargetExpansion : Sequence<TargetHost> {
    /** Size of the index space this shard walks (before exclusions and de-duplication). */
    public val indexSize: Long

    /**
     * A walk from position [start] (0 until [indexSize]; at or past [indexSize] it is empty) that
     * tells the position of every host it returns. `cursor(0)` returns what iterating returns.
     */
    public fun cursor(start: Long = 0): TargetCursor
}
