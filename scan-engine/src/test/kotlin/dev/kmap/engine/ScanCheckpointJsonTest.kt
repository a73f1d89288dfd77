package dev.kmap.engine

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.IpAddress
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** A checkpoint is read back exactly; a damaged one (a store file is user input) is one line, whatever the damage. */
class ScanCheckpointJsonTest {
    @Test
    fun `a checkpoint round-trips`() {
        val c = ScanCheckpoint(7, listOf(HostCheckpoint(8, Host(IpAddress.parse("10.0.0.1")), finished = false, reason = "syn-ack")))
        assertEquals(c, ScanCheckpoint.fromJson(c.toJson()))
    }

    @Test
    fun `cut, wrong and empty documents are one line naming the checkpoint`() {
        val good = ScanCheckpoint(7).toJson()
        val bad = listOf("", "{", "{\"position\": \"1", "{\"position\": -", "[]", "{\"position\": \"x\"}", "null") + (1 until good.length).map { good.take(it) }
        for (text in bad) {
            val e = assertFailsWith<InvalidSpecException>(text) { ScanCheckpoint.fromJson(text) }
            val m = e.message.orEmpty()
            assertTrue(m.startsWith("invalid checkpoint JSON: ") && '\n' !in m, m)
        }
    }
}
