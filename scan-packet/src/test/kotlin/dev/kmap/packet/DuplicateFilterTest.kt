package dev.kmap.packet

import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class DuplicateFilterTest {
    @Test
    fun `a key is new once, then a duplicate`() {
        val f = DuplicateFilter(capacity = 16)
        assertTrue(f.firstTime(42)); assertFalse(f.firstTime(42))
        assertTrue(f.firstTime(0)); assertFalse(f.firstTime(0))
        assertTrue(f.firstTime(-1)); assertFalse(f.firstTime(-1))
        f.clear()
        assertTrue(f.firstTime(42))
    }

    @Test
    fun `the last capacity keys are always remembered, old ones are forgotten, memory stays bounded`() {
        val capacity = 1000
        val f = DuplicateFilter(capacity)
        val r = Random(3)
        val keys = LongArray(50_000) { r.nextLong() }
        for ((i, k) in keys.withIndex()) {
            assertTrue(f.firstTime(k), "key $i is new")
            if (i >= capacity) assertFalse(f.firstTime(keys[i - capacity + 1]), "key ${i - capacity + 1} is among the last $capacity")
        }
        var forgotten = 0
        for (i in 0 until 40_000) if (f.firstTime(keys[i])) forgotten++
        assertTrue(forgotten > 35_000, "old keys are forgotten: $forgotten")
    }

    @Test
    fun `a capacity of one works`() {
        val f = DuplicateFilter(1)
        assertTrue(f.firstTime(1)); assertFalse(f.firstTime(1)); assertTrue(f.firstTime(2)); assertFalse(f.firstTime(2))
        assertEquals(1, f.capacity)
    }
}
