package dev.kmap.dsl.internal

import java.util.PriorityQueue

/**
 * For one address family, the lowest index of the [RangeBlock]s covering each address: the
 * union of the blocks painted into at most `2 * blocks` disjoint segments, each labelled with
 * its first (lowest-index) owner, by a sweep over the block boundaries with a min-heap.
 *
 * An address met in block j is a duplicate exactly when [firstOwner] is below j. Lookup is a
 * binary search; memory is O(blocks).
 */
internal class FirstOwnerMap(blocks: List<Pair<Int, RangeBlock>>) {
    private val segHi: LongArray
    private val segLo: LongArray
    private val owner: IntArray

    init {
        val starts = blocks.sortedWith { a, b -> ucmp128(a.second.firstHi, a.second.firstLo, b.second.firstHi, b.second.firstLo) }
        // Blocks ending at the family's last address have no "last + 1" boundary.
        val ends = blocks.filter { !(it.second.lastHi == -1L && it.second.lastLo == -1L) }
            .map { (i, b) -> Triple(b.lastHi + carry(b.lastLo, 1L), b.lastLo + 1, i) }
            .sortedWith { a, b -> ucmp128(a.first, a.second, b.first, b.second) }
        val hiList = ArrayList<Long>()
        val loList = ArrayList<Long>()
        val ownerList = ArrayList<Int>()
        val active = PriorityQueue<Int>()
        val removed = HashMap<Int, Int>()
        var si = 0
        var ei = 0
        while (si < starts.size || ei < ends.size) {
            // Next boundary: the smaller of the next start and the next end.
            val useStart = ei >= ends.size || (si < starts.size &&
                ucmp128(starts[si].second.firstHi, starts[si].second.firstLo, ends[ei].first, ends[ei].second) <= 0)
            val bHi = if (useStart) starts[si].second.firstHi else ends[ei].first
            val bLo = if (useStart) starts[si].second.firstLo else ends[ei].second
            while (ei < ends.size && ends[ei].first == bHi && ends[ei].second == bLo) {
                removed.merge(ends[ei].third, 1, Int::plus)
                ei++
            }
            while (si < starts.size && starts[si].second.firstHi == bHi && starts[si].second.firstLo == bLo) {
                active += starts[si].first
                si++
            }
            while (active.isNotEmpty() && (removed[active.peek()] ?: 0) > 0) {
                val top = active.poll()
                removed.merge(top, -1, Int::plus)
            }
            hiList += bHi
            loList += bLo
            ownerList += if (active.isEmpty()) -1 else active.peek()
        }
        segHi = LongArray(hiList.size) { hiList[it] }
        segLo = LongArray(loList.size) { loList[it] }
        owner = IntArray(ownerList.size) { ownerList[it] }
    }

    /** The lowest block index covering (hi, lo), or -1. */
    fun firstOwner(hi: Long, lo: Long): Int {
        var a = 0
        var b = segHi.size - 1
        var found = -1
        while (a <= b) {
            val m = (a + b) ushr 1
            if (ucmp128(segHi[m], segLo[m], hi, lo) <= 0) { found = m; a = m + 1 } else b = m - 1
        }
        return if (found < 0) -1 else owner[found]
    }
}
