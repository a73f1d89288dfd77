package dev.kmap.dsl

/**
 * The lazily expanded hosts of [Targets]: iterating never materialises the whole set.
 *
 * ```kotlin
 * val e = Targets(listOf(TargetSpec.parse("10.0.0.0/8"))).expand()
 * println(e.indexSize) // 16777216
 * ```
 */
public interface TargetExpansion : Sequence<TargetHost> {
    /** Size of the index space this shard walks (before exclusions and de-duplication). */
    public val indexSize: Long
}
