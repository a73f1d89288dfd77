package dev.kmap.store.internal

import dev.kmap.dsl.Shard
import dev.kmap.dsl.scan
import java.security.MessageDigest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotEquals

/** The plan hash (shard groups join on it): lower-case hex SHA-256, the same for every shard and output choice. */
class PlanTextTest {
    private fun plan(shard: Int, ports: String = "1-100") = scan {
        targets("10.0.0.0/24")
        ports(ports)
    }.let { it.copy(targets = it.targets.copy(shard = Shard(shard, 4))) }

    @Test
    fun `the hash is lower-case hex SHA-256 and ignores the shard`() {
        val p = plan(1)
        val whole = p.copy(outputs = emptyList(), targets = p.targets.copy(shard = Shard.WHOLE))
        val expected = MessageDigest.getInstance("SHA-256").digest(whole.toJson().toByteArray()).joinToString("") { "%02x".format(it) }
        assertEquals(expected, PlanText.hash(p))
        assertEquals(64, expected.length)
        assertEquals(PlanText.hash(p), PlanText.hash(plan(4)))
        assertNotEquals(PlanText.hash(p), PlanText.hash(plan(1, "1-101")))
    }
}
