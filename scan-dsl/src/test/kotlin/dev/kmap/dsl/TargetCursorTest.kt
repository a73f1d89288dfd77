package dev.kmap.dsl

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse

/** Starting a walk at a position: the resume seam of target expansion. */
class TargetCursorTest {
    private fun walk(t: Targets, start: Long): List<Pair<Long, TargetHost>> {
        val c = t.expand().cursor(start)
        val out = ArrayList<Pair<Long, TargetHost>>()
        while (c.hasNext()) { val h = c.next(); out += c.position to h }
        return out
    }

    @Test
    fun `a walk from any position is the tail of the whole walk, sequential, random and sharded`() {
        val specs = listOf("10.0.0.0/26", "10.0.0.10-20", "db.example", "fd00::/124").map(TargetSpec::parse)
        val excludes = listOf("10.0.0.5", "10.0.0.40-45").map(TargetSpec::parse)
        for (t in listOf(
            Targets(specs, excludes),
            Targets(specs, excludes, randomize = true, seed = 42),
            Targets(specs, excludes, randomize = true, seed = 42, shard = Shard(2, 3)),
        )) {
            val whole = walk(t, 0)
            assertEquals(t.expand().toList(), whole.map { it.second }, "cursor(0) is the plain iteration")
            assertEquals(whole.map { it.first }, whole.map { it.first }.sorted(), "positions ascend")
            for (start in listOf(0L, 1L, 7L, 30L, whole.last().first, whole.last().first + 1, t.expand().indexSize + 5)) {
                assertEquals(whole.filter { it.first >= start }, walk(t, start), "from $start")
            }
        }
        assertFalse(Targets(specs).expand().cursor(Long.MAX_VALUE / 2).hasNext())
    }
}
