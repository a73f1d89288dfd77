package dev.kmap.dsl

import java.util.BitSet
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

internal class PortListTest {
    @Test
    fun `of normalises, merges adjacent ports and prints nmap syntax`() {
        val p = PortList.of(82, 22, 80, 81, 22)
        assertEquals(listOf(PortRange(22, 22), PortRange(80, 82)), p.ranges)
        assertEquals("22,80-82", p.toString())
        assertEquals(4, p.size)
        assertEquals(listOf(22, 80, 81, 82), p.toList())
    }

    @Test
    fun `ofRanges sorts and merges overlapping and adjacent ranges`() {
        val p = PortList.ofRanges(listOf(82..82, 80..81, 100..200, 150..300, 301..301, 5..5))
        assertEquals("5,80-82,100-301", p.toString())
        assertEquals(PortList.of(80, 81) + PortList.of(82), PortList.ofRanges(listOf(80..82)))
        assertEquals(PortList.EMPTY, PortList.ofRanges(listOf(IntRange.EMPTY, 5..4)))
    }

    @Test
    fun `equal sets are equal data`() {
        val a = PortList.ofRanges(listOf(1..10, 20..30))
        val b = PortList.of(*(1..10).toList().toIntArray()) + PortList.ofRanges(listOf(25..30, 20..24))
        assertEquals(a, b)
        assertEquals(a.hashCode(), b.hashCode())
    }

    @Test
    fun `the full range and the edges`() {
        val all = PortList.ofRanges(listOf(0..65535))
        assertEquals(65536, all.size)
        assertEquals(0, all[0])
        assertEquals(65535, all[65535])
        assertTrue(0 in all && 65535 in all)
        assertFalse(-1 in all || 65536 in all)
        assertEquals("0-65535", all.toString())
        assertEquals(PortList.EMPTY, all - all)
        assertEquals("", PortList.EMPTY.toString())
        assertTrue(PortList.EMPTY.isEmpty())
        assertEquals(0, PortList.EMPTY.size)
        assertFalse(PortList.EMPTY.iterator().hasNext())
    }

    @Test
    fun `out of range ports are InvalidSpecException`() {
        val e1 = assertFailsWith<InvalidSpecException> { PortList.ofRanges(listOf(1..70000)) }
        assertEquals("port 70000 is out of range (ports are 0..65535)", e1.message)
        val e2 = assertFailsWith<InvalidSpecException> { PortList.of(22, -1) }
        assertEquals("port -1 is out of range (ports are 0..65535)", e2.message)
    }

    @Test
    fun `the constructor rejects ranges that are not normalised`() {
        assertFailsWith<InvalidSpecException> { PortList(listOf(PortRange(80, 81), PortRange(82, 82))) }
        assertFailsWith<InvalidSpecException> { PortList(listOf(PortRange(90, 100), PortRange(80, 81))) }
        assertFailsWith<InvalidSpecException> { PortList(listOf(PortRange(80, 90), PortRange(85, 95))) }
        assertFailsWith<InvalidSpecException> { PortRange(90, 80) }
        assertFailsWith<InvalidSpecException> { PortRange(0, 65536) }
        assertFailsWith<InvalidSpecException> { PortRange(-1, 5) }
        assertEquals(PortList.of(80, 82), PortList(listOf(PortRange(80, 80), PortRange(82, 82))))
    }

    @Test
    fun `get outside the list is IndexOutOfBoundsException`() {
        val p = PortList.of(1, 2, 3)
        assertFailsWith<IndexOutOfBoundsException> { p[3] }
        assertFailsWith<IndexOutOfBoundsException> { p[-1] }
        assertFailsWith<IndexOutOfBoundsException> { PortList.EMPTY[0] }
        assertFailsWith<NoSuchElementException> { PortList.EMPTY.iterator().next() }
    }

    /** Random lists, clustered in a random window so that ranges overlap, touch and nest. */
    private fun randomList(random: Random): Pair<PortList, BitSet> {
        val model = BitSet()
        val ranges = ArrayList<IntRange>()
        val window = listOf(64, 400, 5000, 65536).random(random)
        val base = random.nextInt(0, 65536 - window + 1)
        repeat(random.nextInt(0, 12)) {
            val a = base + random.nextInt(window)
            val b = if (random.nextInt(3) == 0) a else minOf(65535, a + random.nextInt(0, window / 4 + 1))
            ranges += a..b
            model.set(a, b + 1)
        }
        if (random.nextInt(10) == 0) { ranges += 0..random.nextInt(3); model.set(0, ranges.last().last + 1) }
        if (random.nextInt(10) == 0) { ranges += random.nextInt(65533, 65536)..65535; model.set(ranges.last().first, 65536) }
        ranges.shuffle(random)
        return PortList.ofRanges(ranges) to model
    }

    private fun check(list: PortList, model: BitSet, random: Random) {
        assertEquals(model.cardinality(), list.size)
        assertEquals(model.isEmpty, list.isEmpty())
        val expected = model.stream().toArray().toList()
        assertEquals(expected, list.toList())
        if (expected.size <= 2000) {
            expected.forEachIndexed { i, port -> assertEquals(port, list[i]) }
        } else {
            repeat(200) { val i = random.nextInt(expected.size); assertEquals(expected[i], list[i]) }
        }
        repeat(300) {
            val port = if (expected.isNotEmpty() && random.nextBoolean()) expected.random(random) + random.nextInt(-2, 3)
            else random.nextInt(-5, 65541)
            assertEquals(port in 0..65535 && model[port], port in list, "contains($port) of $list")
        }
        // normalised: ascending, neither overlapping nor touching
        list.ranges.zipWithNext().forEach { (a, b) -> assertTrue(b.first > a.last + 1, "$a then $b in $list") }
        assertEquals(list, PortList.of(*expected.toIntArray()))
        // toString is nmap syntax: it re-parses to the same list (explicit ports, so 0 survives)
        if (!list.isEmpty()) assertEquals(list, PortSet.parse("T:$list").tcp)
    }

    @Test
    fun `algebra matches a BitSet model`() {
        val random = Random(20240611)
        repeat(1000) {
            val (a, ma) = randomList(random)
            val (b, mb) = randomList(random)
            check(a, ma, random)
            val union = (ma.clone() as BitSet).apply { or(mb) }
            val difference = (ma.clone() as BitSet).apply { andNot(mb) }
            check(a + b, union, random)
            check(a - b, difference, random)
            assertEquals(a + b, b + a)
            assertEquals(a, a + a)
            assertEquals(PortList.EMPTY, a - a)
            assertEquals(a, a - PortList.EMPTY)
            assertEquals(a, (a - b) + (a - (a - b)))
        }
    }
}
