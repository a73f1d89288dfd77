package dev.kmap.dsl

import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

public class ShardTest {
    @Test
    public fun `parses i over N`() {
        assertEquals(Shard(2, 4), Shard.parse("2/4"))
        assertEquals(Shard(1, 1), Shard.parse(" 1/1 "))
        assertEquals(Shard.WHOLE, Shard.parse("1/1"))
        assertEquals(Shard(1_000_000, 1_000_000), Shard.parse("1000000/1000000"))
        assertEquals(Shard(7, 16), Shard.parse("07/16"))
    }

    @Test
    public fun `refuses bad shards`() {
        fun fails(text: String) = assertFailsWith<InvalidSpecException>(text) { Shard.parse(text) }.message!!
        assertEquals("invalid shard index 0 in \"0/4\" (expected 1..4)", fails("0/4"))
        assertEquals("invalid shard index 5 in \"5/4\" (expected 1..4)", fails("5/4"))
        assertEquals("invalid shard count 0 in \"1/0\" (expected 1..1000000)", fails("1/0"))
        assertEquals("invalid shard count 1000001 in \"1/1000001\" (expected 1..1000000)", fails("1/1000001"))
        assertEquals(
            "invalid shard \"garbage\" (expected i/N with 1 <= i <= N <= 1000000, such as 2/4)",
            fails("garbage"),
        )
        for (bad in listOf("", "/", "1/", "/4", "-1/4", "1/-4", "1/2/3", "1 /2", "a/b", "99999999999999999999/4", "2/99999999999999999999")) {
            fails(bad)
        }
    }

    @Test
    public fun `constructor checks its invariants`() {
        assertFailsWith<InvalidSpecException> { Shard(0, 4) }
        assertFailsWith<InvalidSpecException> { Shard(5, 4) }
        assertFailsWith<InvalidSpecException> { Shard(1, 0) }
        assertFailsWith<InvalidSpecException> { Shard(1, 1_000_001) }
    }
}
