package dev.kmap.dsl

import dev.kmap.dsl.internal.Expansion
import dev.kmap.dsl.internal.checkIndexSpace
import dev.kmap.dsl.internal.includeBlockOf
import dev.kmap.dsl.internal.quote
import dev.kmap.dsl.internal.resolveFiles
import kotlinx.serialization.Serializable

/**
 * What to scan: included and excluded [TargetSpec]s, the order (sequential, or a seeded
 * full-cycle permutation) and the shard of the whole set this run covers.
 *
 * Constructing a [Targets] checks that every include other than a file can be swept (IPv6
 * blocks of at most 2^32 addresses, at most 2^40 targets in all); exclusions may be any size.
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
    init {
        var total = 0L
        for (spec in includes) {
            if (spec is TargetSpec.File) continue
            total += includeBlockOf(spec).size
            checkIndexSpace(total)
        }
    }

    /**
     * Expands lazily into hosts. [readLines] reads a target file (`-iL`, `--excludefile`); the DSL
     * does no I/O itself, the engine passes a real reader.
     *
     * Files are read (and their tokens parsed) when this is called; the hosts themselves are
     * produced one at a time while iterating, each exactly once: an address that an earlier
     * include also holds is skipped, as is any excluded address or name. The order is the
     * include order (sequential) or a seeded Feistel permutation of the index space (see
     * [randomize]); [shard] `i/N` keeps the positions `p` of that order with `p % N == i - 1`.
     * Raises [InvalidSpecException] for a bad token in a file or a too-wide target.
     *
     * ```kotlin
     * val hosts = Targets(listOf(TargetSpec.File("hosts.txt"))).expand { java.io.File(it).readLines() }
     * ```
     */
    public fun expand(readLines: (path: String) -> List<String> = { noFileReader(it) }): TargetExpansion =
        Expansion(
            includes = resolveFiles(includes, readLines, "target file"),
            excludes = resolveFiles(excludes, readLines, "exclusion file"),
            randomize = randomize,
            seed = seed,
            shard = shard,
        )
}

private fun noFileReader(path: String): Nothing =
    invalid("target file ${quote(path)} cannot be read here (no file reader was given)")
