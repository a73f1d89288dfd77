package dev.kmap.dsl.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Shard
import dev.kmap.dsl.TargetCursor
import dev.kmap.dsl.TargetExpansion
import dev.kmap.dsl.TargetHost
import dev.kmap.dsl.TargetSpec

/**
 * The lazy expansion of a target list.
 *
 * The index space is the concatenation of the include blocks (block j owns indexes
 * `starts[j] until starts[j] + size`). Position p of the walk maps to index p (sequential) or
 * to `permutation.apply(p)` (random); this shard walks the positions `p % count == index - 1`.
 * An index maps to its block by binary search on [starts], then to a host. A host is skipped
 * when an earlier block also holds it (so overlapping includes yield each host once), or when
 * it is excluded. Nothing here grows with the number of hosts.
 */
internal class Expansion(
    includes: List<TargetSpec>,
    excludes: List<TargetSpec>,
    randomize: Boolean,
    seed: Long,
    private val shard: Shard,
) : TargetExpansion {
    private val blocks: Array<IncludeBlock> = includes.map(::includeBlockOf).toTypedArray()
    private val starts = LongArray(blocks.size)
    private val total: Long
    private val exclusions = ExclusionSet(excludes)
    private val v4Owners: FirstOwnerMap
    private val v6Owners: FirstOwnerMap

    /** Indexes of the octet blocks, ascending. */
    private val octetBlocks: IntArray

    /** Per name block: skipped (an earlier name block has the same name, or it is excluded). */
    private val skipName = BooleanArray(blocks.size)
    private val permutation: FeistelPermutation?

    init {
        var sum = 0L
        for ((j, b) in blocks.withIndex()) {
            starts[j] = sum
            sum += b.size
            checkIndexSpace(sum)
        }
        total = sum
        val ranges = blocks.withIndex().mapNotNull { (j, b) -> if (b is RangeBlock) j to b else null }
        v4Owners = FirstOwnerMap(ranges.filter { !it.second.v6 })
        v6Owners = FirstOwnerMap(ranges.filter { it.second.v6 })
        octetBlocks = blocks.indices.filter { blocks[it] is OctetBlock }.toIntArray()
        val seen = HashSet<String>()
        for ((j, b) in blocks.withIndex()) {
            if (b is NameBlock) skipName[j] = !seen.add(b.key) || exclusions.excludesName(b.key)
        }
        permutation = if (randomize) FeistelPermutation(total, seed) else null
    }

    override val indexSize: Long =
        if (total <= shard.index - 1L) 0L else (total - shard.index + shard.count) / shard.count

    override fun iterator(): Iterator<TargetHost> = cursor(0)

    override fun cursor(start: Long): TargetCursor {
        require(start >= 0) { "start position $start is negative" }
        return Cursor(start)
    }

    /** Walk index k is position `shard.index - 1 + k * shard.count` of the (permuted) index space. */
    private inner class Cursor(start: Long) : AbstractIterator<TargetHost>(), TargetCursor {
        private var walk = start
        override var position: Long = start - 1
            private set

        override fun computeNext() {
            while (walk < indexSize) {
                val p = shard.index - 1L + walk * shard.count
                val host = hostAt(permutation?.apply(p) ?: p)
                walk++
                if (host != null) {
                    position = walk - 1
                    setNext(host)
                    return
                }
            }
            done()
        }
    }

    /** The host at [index], or null if it is a duplicate of an earlier block or excluded. */
    private fun hostAt(index: Long): TargetHost? {
        val j = blockOf(index)
        val local = index - starts[j]
        return when (val b = blocks[j]) {
            is RangeBlock -> ipHost(j, b.v6, b.firstHi + carry(b.firstLo, local), b.firstLo + local)
            is OctetBlock -> ipHost(j, false, 0L, b.pattern.bitsAt(local))
            is NameBlock -> if (skipName[j]) null else TargetHost.Name(b.name)
        }
    }

    private fun ipHost(j: Int, v6: Boolean, hi: Long, lo: Long): TargetHost? {
        val owner = (if (v6) v6Owners else v4Owners).firstOwner(hi, lo)
        if (owner in 0 until j) return null
        if (!v6) {
            for (k in octetBlocks) {
                if (k >= j) break
                if ((blocks[k] as OctetBlock).pattern.contains(lo)) return null
            }
        }
        if (exclusions.excludesIp(v6, hi, lo)) return null
        return TargetHost.Ip(IpAddress.of(v6, hi, lo))
    }

    /** The block holding [index]: the last j with `starts[j] <= index` (empty blocks never hold one). */
    private fun blockOf(index: Long): Int {
        var a = 0
        var b = starts.size - 1
        var found = 0
        while (a <= b) {
            val m = (a + b) ushr 1
            if (starts[m] <= index) { found = m; a = m + 1 } else b = m - 1
        }
        return found
    }
}
