package dev.kmap.dsl.internal

/**
 * A set of 128-bit unsigned intervals `[start, end]` (one address family), merged and sorted;
 * membership by binary search.
 */
internal class IntervalSet(intervals: List<LongArray>) {
    private val startHi: LongArray
    private val startLo: LongArray
    private val endHi: LongArray
    private val endLo: LongArray

    init {
        val sorted = intervals.sortedWith { a, b -> ucmp128(a[0], a[1], b[0], b[1]) }
        val merged = ArrayList<LongArray>()
        for (iv in sorted) {
            val last = merged.lastOrNull()
            if (last != null && ucmp128(iv[0], iv[1], last[2], last[3]) <= 0) {
                if (ucmp128(iv[2], iv[3], last[2], last[3]) > 0) { last[2] = iv[2]; last[3] = iv[3] }
            } else {
                merged += iv.copyOf()
            }
        }
        startHi = LongArray(merged.size) { merged[it][0] }
        startLo = LongArray(merged.size) { merged[it][1] }
        endHi = LongArray(merged.size) { merged[it][2] }
        endLo = LongArray(merged.size) { merged[it][3] }
    }

    /** True if no interval. */
    val isEmpty: Boolean get() = startHi.isEmpty()

    /** True if (hi, lo) lies in an interval. */
    fun contains(hi: Long, lo: Long): Boolean {
        var a = 0
        var b = startHi.size - 1
        var found = -1
        while (a <= b) {
            val m = (a + b) ushr 1
            if (ucmp128(startHi[m], startLo[m], hi, lo) <= 0) { found = m; a = m + 1 } else b = m - 1
        }
        return found >= 0 && ucmp128(hi, lo, endHi[found], endLo[found]) <= 0
    }
}
