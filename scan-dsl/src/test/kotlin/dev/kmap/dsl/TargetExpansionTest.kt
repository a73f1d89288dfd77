package dev.kmap.dsl

import org.junit.jupiter.api.Test
import java.util.BitSet
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlin.test.fail

public class TargetExpansionTest {
    private fun ip(s: String) = IpAddress.parse(s)

    private fun targets(
        includes: List<String>,
        excludes: List<String> = emptyList(),
        randomize: Boolean = false,
        seed: Long = 0,
        shard: Shard = Shard.WHOLE,
    ) = Targets(includes.map(TargetSpec::parse), excludes.map(TargetSpec::parse), randomize, seed, shard)

    private fun TargetHost.text(): String = when (this) {
        is TargetHost.Ip -> address.toString()
        is TargetHost.Name -> name
    }

    private fun Targets.texts(readLines: (String) -> List<String> = { error("no files") }): List<String> =
        expand(readLines).map { it.text() }.toList()

    /** The addresses `first..last` as text, built with [IpAddress.plus]. */
    private fun span(first: String, last: String): List<String> {
        val out = ArrayList<String>()
        var a = ip(first)
        val end = ip(last)
        while (true) {
            out += a.toString()
            if (a == end) return out
            a += 1
        }
    }

    @Test
    public fun `sequential order follows the includes and skips duplicates`() {
        val t = targets(listOf("10.0.0.1-10.0.0.3", "host.example", "10.0.0.2/31", "10.0.0-1.0,9", "10.0.0.9", "HOST.example"))
        assertEquals(
            listOf("10.0.0.1", "10.0.0.2", "10.0.0.3", "host.example", "10.0.0.0", "10.0.0.9", "10.0.1.0", "10.0.1.9"),
            t.texts(),
        )
        assertEquals(3L + 1 + 2 + 4 + 1 + 1, t.expand().indexSize, "indexSize counts duplicates and exclusions")
    }

    @Test
    public fun `a later block does not repeat an earlier one in either direction`() {
        assertEquals(listOf("10.0.0.5") + span("10.0.0.0", "10.0.0.4") + span("10.0.0.6", "10.0.0.7"), targets(listOf("10.0.0.5", "10.0.0.0/29")).texts())
        assertEquals(listOf("10.0.0.1", "10.0.0.3", "10.0.0.0", "10.0.0.2"), targets(listOf("10.0.0.1,3", "10.0.0.0/30")).texts())
        assertEquals(listOf("10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"), targets(listOf("10.0.0.0/30", "10.0.0.1,3")).texts())
        assertEquals(span("10.0.0.0", "10.0.0.255"), targets(listOf("10.0.0.0/24", "10.0.0.0/24", "10.0.0.7", "10.0.0.*")).texts())
    }

    @Test
    public fun `exclusions of every kind`() {
        val t = targets(
            listOf("10.0.0.0/28", "a.example", "B.example", "fd00::/124"),
            listOf("10.0.0.0-10.0.0.3", "10.0.0.5", "10.0.0.8/30", "10.0.0.14,15", "b.EXAMPLE", "fd00::/126", "fd00::/64", "fd00::8"),
        )
        assertEquals(listOf("10.0.0.4", "10.0.0.6", "10.0.0.7", "10.0.0.12", "10.0.0.13", "a.example"), t.texts())
        assertEquals(16L + 2 + 16, t.expand().indexSize)
        assertEquals(
            listOf("fd00::4", "fd00::5", "fd00::6", "fd00::7", "fd00::9", "fd00::a", "fd00::b", "fd00::c", "fd00::d", "fd00::e", "fd00::f"),
            targets(listOf("fd00::/124"), listOf("fd00::/126", "fd00::8")).texts(),
        )
        assertEquals(emptyList<String>(), targets(listOf("10.0.0.0/24"), listOf("0.0.0.0/0")).texts())
    }

    @Test
    public fun `target and exclusion files through a fake reader`() {
        val files = mapOf(
            "targets.txt" to listOf(
                "# lab hosts",
                "10.0.0.0/30  10.0.0.8 # inline comment 10.0.0.9",
                "",
                "   ",
                "  db.internal\tweb.internal  ",
                "10.0.1.1-3",
            ),
            "exclude.txt" to listOf("10.0.0.2 # gateway", "web.internal", "#10.0.0.8"),
        )
        val read = mutableListOf<String>()
        val reader = { path: String -> read += path; files[path] ?: error("no such file $path") }
        val t = Targets(
            includes = listOf(TargetSpec.File("targets.txt"), TargetSpec.parse("10.0.0.100")),
            excludes = listOf(TargetSpec.File("exclude.txt"), TargetSpec.parse("10.0.1.2")),
        )
        assertEquals(
            listOf("10.0.0.0", "10.0.0.1", "10.0.0.3", "10.0.0.8", "db.internal", "10.0.1.1", "10.0.1.3", "10.0.0.100"),
            t.texts(reader),
        )
        assertEquals(listOf("targets.txt", "exclude.txt"), read)

        val bad = mapOf("t.txt" to listOf("10.0.0.1", "", "10.0.0.2 10.0.0.256"))
        val msg = assertFailsWith<InvalidSpecException> { Targets(listOf(TargetSpec.File("t.txt"))).expand { bad.getValue(it) } }.message
        assertEquals("target file \"t.txt\" line 3: invalid octet 256 in \"10.0.0.256\" (octets are 0..255)", msg)

        val noReader = assertFailsWith<InvalidSpecException> { Targets(listOf(TargetSpec.File("t.txt"))).expand() }.message
        assertEquals("target file \"t.txt\" cannot be read here (no file reader was given)", noReader)

        val wide = mapOf("t.txt" to listOf("fd00::/64"))
        val wideMsg = assertFailsWith<InvalidSpecException> { Targets(listOf(TargetSpec.File("t.txt"))).expand { wide.getValue(it) } }.message
        assertEquals("IPv6 prefix /64 in \"fd00::/64\" is too wide to sweep (at most 2^32 addresses, i.e. /96 or longer)", wideMsg)
    }

    @Test
    public fun `IPv6 slash 120 expands in order`() {
        val hosts = targets(listOf("fd00::/120")).texts()
        assertEquals(256, hosts.size)
        assertEquals(span("fd00::", "fd00::ff"), hosts)
        val e = targets(listOf("fd00::ffff:ffff:ffff:ff00/120")).texts()
        assertEquals(span("fd00::ffff:ffff:ffff:ff00", "fd00::ffff:ffff:ffff:ffff"), e)
        val crossing = targets(listOf("fd00::ffff:ffff:ffff:fffe-fd00:0:0:1::1")).texts()
        assertEquals(listOf("fd00::ffff:ffff:ffff:fffe", "fd00::ffff:ffff:ffff:ffff", "fd00:0:0:1::", "fd00:0:0:1::1"), crossing)
        val top = targets(listOf("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), randomize = true).texts()
        assertEquals(16, top.toSet().size)
        assertEquals(16, top.size)
    }

    @Test
    public fun `too wide IPv6 and too large index spaces are refused`() {
        assertEquals(
            "IPv6 prefix /64 in \"fd00::/64\" is too wide to sweep (at most 2^32 addresses, i.e. /96 or longer)",
            assertFailsWith<InvalidSpecException> { targets(listOf("fd00::/64")) }.message,
        )
        assertFailsWith<InvalidSpecException> { targets(listOf("fd00::/95")) }
        assertEquals(1L shl 32, targets(listOf("fd00::/96")).expand().indexSize)
        assertTrue(
            assertFailsWith<InvalidSpecException> { targets(listOf("fd00::-fd00::1:0:0")) }.message!!.contains("too wide to sweep"),
        )
        assertEquals(1L shl 32, targets(listOf("fd00::-fd00::ffff:ffff")).expand().indexSize)
        assertEquals(1L shl 40, targets(List(256) { "fd00::/96" }).expand().indexSize)
        val msg = assertFailsWith<InvalidSpecException> { targets(List(257) { "fd00::/96" }) }.message!!
        assertTrue(msg.startsWith("too many targets"), msg)
    }

    @Test
    public fun `a slash 8 is expanded lazily`() {
        val t = targets(listOf("10.0.0.0/8"), randomize = true, seed = 7)
        val start = System.nanoTime()
        val first = t.expand().take(1000).toList()
        val ms = (System.nanoTime() - start) / 1_000_000
        assertEquals(1000, first.size)
        assertEquals(1000, first.toSet().size)
        assertTrue(first.all { it is TargetHost.Ip && it.address.toString().startsWith("10.") })
        assertTrue(ms < 1000, "took $ms ms")
        assertEquals(16_777_216L, t.expand().indexSize)
        assertEquals(1L shl 32, targets(listOf("0.0.0.0/0")).expand().indexSize)
        assertEquals((16_777_216L - 2 + 6) / 7, targets(listOf("10.0.0.0/8"), shard = Shard(3, 7)).expand().indexSize)
        assertEquals(0L, targets(listOf("10.0.0.1", "10.0.0.2"), shard = Shard(5, 7)).expand().indexSize)
        assertEquals(listOf("0.0.0.0", "0.0.0.1"), targets(listOf("0.0.0.0/0")).expand().take(2).map { it.text() }.toList())
    }

    @Test
    public fun `a randomized slash 16 visits every address exactly once, quickly`() {
        val t = targets(listOf("172.16.0.0/16"), randomize = true, seed = 42)
        t.expand().take(1000).count() // warm up
        val seen = BitSet(65536)
        val base = ip("172.16.0.0").low
        val order = ArrayList<Long>(65536)
        val start = System.nanoTime()
        for (h in t.expand()) {
            val offset = ((h as TargetHost.Ip).address.low - base).toInt()
            assertTrue(offset in 0 until 65536, "$h")
            assertTrue(!seen.get(offset), "$h visited twice")
            seen.set(offset)
            order += offset.toLong()
        }
        val ms = (System.nanoTime() - start) / 1_000_000
        assertEquals(65536, seen.cardinality())
        assertTrue(ms < 1000, "a /16 took $ms ms")
        assertTrue(order.sorted() != order, "randomized order is sequential")
        // Not merely a rotation or a reversal of the sequence either.
        val ascending = order.zipWithNext().count { (a, b) -> b == a + 1 }
        assertTrue(ascending < 1000, "$ascending consecutive steps")
    }

    @Test
    public fun `same seed gives the same order, another seed another order`() {
        fun order(seed: Long) = targets(listOf("10.1.0.0/16", "fd00::/120", "x.example"), randomize = true, seed = seed).texts()
        val a = order(1)
        assertTrue(a == order(1), "seed 1 twice gave two orders")
        assertTrue(a.toSet() == order(2).toSet(), "seeds 1 and 2 gave different sets")
        assertTrue(a != order(2), "seeds 1 and 2 gave the same order")
        assertTrue(a != order(-1), "seeds 1 and -1 gave the same order")
        assertTrue(order(2) != order(3), "seeds 2 and 3 gave the same order")
        val small = (0L..20).map { targets(listOf("10.0.0.0/29"), randomize = true, seed = it).texts() }
        assertTrue(small.toSet().size > 10, "seeds should give varied orders of 8 addresses")
        small.forEach { assertEquals(span("10.0.0.0", "10.0.0.7"), it.sortedWith { x, y -> ip(x).compareTo(ip(y)) }) }
    }

    @Test
    public fun `shards are disjoint and cover the whole set`() {
        val sets = listOf(
            Targets(listOf(TargetSpec.parse("10.0.0.0/24"))),
            targets(
                listOf(
                    "10.0.0.0/24", "10.0.0.100-10.0.1.20", "10.0.0-2.1,5,250-255", "10.0.1.7", "Host.Example",
                    "host.example", "other.example", "fd00::/120", "fd00::f0-fd00::1ff",
                ),
                listOf("10.0.0.0/28", "10.0.2.250", "10.0.*.255", "other.example", "fd00::100-fd00::10f"),
            ),
            targets(listOf("192.168.0.0/22", "192.168.1.0/24", "192.168.1-2.*", "192.168.3.3"), listOf("192.168.2.0/25")),
        )
        val expectedSecond = buildSet {
            addAll(span("10.0.0.0", "10.0.0.255"))
            addAll(span("10.0.0.100", "10.0.1.20"))
            for (c in 0..2) for (d in listOf(1, 5) + (250..255)) add("10.0.$c.$d")
            add("10.0.1.7")
            add("Host.Example")
            addAll(span("fd00::", "fd00::1ff"))
            removeAll(span("10.0.0.0", "10.0.0.15").toSet())
            remove("10.0.2.250")
            removeAll((0..255).map { "10.0.$it.255" }.toSet())
            removeAll(span("fd00::100", "fd00::10f").toSet())
        }
        assertEquals(expectedSecond, sets[1].texts().toSet())
        val expectedThird = (span("192.168.0.0", "192.168.3.255").toSet() - span("192.168.2.0", "192.168.2.127").toSet())
        assertEquals(expectedThird, sets[2].texts().toSet())

        for (base in sets) {
            val whole = base.texts()
            assertEquals(whole.size, whole.toSet().size, "no duplicates in the whole set")
            for (randomize in listOf(false, true)) {
                for (n in listOf(1, 2, 3, 7, 16)) {
                    val union = HashSet<String>()
                    var indexTotal = 0L
                    for (i in 1..n) {
                        val shard = base.copy(randomize = randomize, seed = 99, shard = Shard(i, n))
                        val e = shard.expand()
                        indexTotal += e.indexSize
                        for (h in e) assertTrue(union.add(h.text()), "$h is in two shards (n=$n, randomize=$randomize)")
                    }
                    assertEquals(whole.toSet(), union, "n=$n randomize=$randomize")
                    assertEquals(base.expand().indexSize, indexTotal)
                }
            }
        }
    }

    /** Every include alone, concatenated, first occurrence kept, minus every exclusion alone. */
    private fun reference(includes: List<String>, excludes: List<String>): List<String> {
        val excluded = excludes.flatMap { x ->
            when (val spec = TargetSpec.parse(x)) {
                is TargetSpec.HostName -> listOf(spec.name.lowercase())
                else -> Targets(listOf(spec)).texts()
            }
        }.toSet()
        val seen = HashSet<String>()
        val out = ArrayList<String>()
        for (inc in includes) {
            for (h in Targets(listOf(TargetSpec.parse(inc))).texts()) {
                val key = if (h.any { it.isLetter() } && ':' !in h) h.lowercase() else h
                if (seen.add(key) && key !in excluded) out += h
            }
        }
        return out
    }

    /** Like assertEquals on lists, but reports only the first difference. */
    private fun assertSameList(expected: List<String>, actual: List<String>, what: String) {
        if (expected == actual) return
        val i = expected.indices.firstOrNull { it >= actual.size || expected[it] != actual[it] } ?: expected.size
        fail("$what: ${expected.size} expected, ${actual.size} produced; first difference at $i: " +
            "expected ${expected.getOrNull(i)}, got ${actual.getOrNull(i)}")
    }

    private fun randomSpec(r: Random): String {
        fun o() = r.nextInt(0, 256)
        return when (r.nextInt(8)) {
            0 -> "10.0.${r.nextInt(0, 3)}.${o()}"
            1 -> "10.0.${r.nextInt(0, 3)}.${o() and 0xF0}/${r.nextInt(24, 33).coerceAtLeast(28)}"
            2 -> "10.0.${r.nextInt(0, 3)}.0/${r.nextInt(22, 25)}"
            3 -> { val a = r.nextInt(0, 700); val b = a + r.nextInt(0, 90); "10.0.${a / 256}.${a % 256}-10.0.${b / 256}.${b % 256}" }
            4 -> "10.0.${r.nextInt(0, 3)}-${r.nextInt(2, 4)}.${o()},${o()},${r.nextInt(0, 100)}-${r.nextInt(100, 140)}"
            5 -> listOf("a.example", "A.EXAMPLE", "b.example", "c.example")[r.nextInt(4)]
            6 -> "fd00::${r.nextInt(0, 3)}:${Integer.toHexString(r.nextInt(0, 256) * 16)}/${r.nextInt(120, 129)}"
            else -> {
                val k = r.nextInt(0, 3)
                "fd00::$k:${Integer.toHexString(0xff00 + r.nextInt(0, 256))}-fd00::${k + 1}:${Integer.toHexString(r.nextInt(0, 256))}"
            }
        }
    }

    @Test
    public fun `random overlapping include and exclude lists match a naive reference`() {
        val r = Random(2024)
        repeat(150) { trial ->
            val includes = List(r.nextInt(1, 9)) { randomSpec(r) }
            val excludes = List(r.nextInt(0, 4)) { randomSpec(r) }
            val expected = reference(includes, excludes)
            val base = targets(includes, excludes)
            assertSameList(expected, base.texts(), "trial $trial: $includes minus $excludes")
            val randomized = base.copy(randomize = true, seed = trial.toLong()).texts()
            assertEquals(expected.size, randomized.size)
            assertEquals(expected.toSet(), randomized.toSet())
            val n = r.nextInt(1, 9)
            val union = (1..n).flatMap { base.copy(randomize = true, seed = 5, shard = Shard(it, n)).texts() }
            assertEquals(expected.size, union.size, "trial $trial n=$n")
            assertEquals(expected.toSet(), union.toSet())
        }
    }

    @Test
    public fun `an expansion can be iterated again`() {
        val e = targets(listOf("10.0.0.0/30"), randomize = true, seed = 3).expand()
        assertEquals(e.map { it.toString() }.toList(), e.map { it.toString() }.toList())
        assertEquals(TargetHost.Ip(ip("10.0.0.1")), targets(listOf("10.0.0.1")).expand().single())
        assertEquals(TargetHost.Name("localhost"), targets(listOf("localhost")).expand().single())
        assertEquals(0, Targets().expand().count())
    }
}
