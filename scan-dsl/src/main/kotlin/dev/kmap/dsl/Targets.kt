package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * What to scan: included and excluded [TargetSpec]s, the order (sequential, or a seeded
 * full-cycle permutation) and the shard of the whole set this run covers.
 *
 * ```kotlin
 * val t = Targets(includes = listOf(TargetSpec.parse("10.0.0.0/8")), randomize = true, seed = 7)
 * t.expand().take(3).forEach(::println) // lazily: no list of 16.7M addresses
 * ```
 */
@Serializable
public data class Targets(
    val includes: List<TargetSpec> = emptyList(),
    val excludes: List<TargetSpec> = emptyList(),
    val randomize: Boolean = false,
    val seed: Long = 0,
    val shard: Shard = Shard.WHOLE,
) {
    /**
     * Expands lazily into hosts. [readLines] reads a target file (`-iL`, `--excludefile`); the DSL
     * does no I/O itself, the engine passes a real reader.
     */
    public fun expand(readLines: (path: String) -> List<String> = { noFileReader(it) }): TargetExpansion = TODO()
}

private fun noFileReader(path: String): Nothing =
    invalid("target file \"$path\" cannot be read here (no file reader was given)")
