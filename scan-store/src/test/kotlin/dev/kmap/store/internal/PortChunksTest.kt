package dev.kmap.store.internal

import dev.kmap.dsl.Protocol
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptOutput
import dev.kmap.engine.ServiceInfo
import dev.kmap.store.StoreException
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class PortChunksTest {
    private val ports = listOf(
        PortResult(1, Protocol.TCP, PortState.CLOSED, "reset", "tcpmux", 12),
        PortResult(65535, Protocol.TCP, PortState.FILTERED, "no-response", null, null),
        PortResult(0, Protocol.UDP, PortState.OPEN_FILTERED, "no-response", null, 0),
        PortResult(53, Protocol.UDP, PortState.CLOSED, "port-unreach", "dómain \u0000 ☃", Long.MAX_VALUE - 1),
        PortResult(8080, Protocol.TCP, PortState.UNFILTERED, "", "", 1L shl 40),
        PortResult(9, Protocol.UDP, PortState.CLOSED_FILTERED, "reset", "discard", 3),
    )

    @Test
    fun `every plain field round-trips, and equal strings are written once`() {
        val data = PortChunks.encode(ports)
        assertEquals(ports, PortChunks.decode(data, "chunk"))
        assertEquals(emptyList(), PortChunks.decode(PortChunks.encode(emptyList()), "chunk"))
        val many = (1..65535).map { PortResult(it, Protocol.TCP, PortState.CLOSED, "reset", null, 40) }
        val big = PortChunks.encode(many)
        assertTrue(big.size <= 65535 * 7 + 16, "${big.size} bytes: 7 a port")
        assertEquals(many, PortChunks.decode(big, "chunk"))
    }

    @Test
    fun `open ports and ports with service detection or scripts are not plain`() {
        assertTrue(PortChunks.isPlain(ports[0]))
        assertFalse(PortChunks.isPlain(PortResult(22, Protocol.TCP, PortState.OPEN, "syn-ack")))
        assertFalse(PortChunks.isPlain(ports[0].copy(serviceInfo = ServiceInfo(name = "tcpmux"))))
        assertFalse(PortChunks.isPlain(ports[0].copy(scripts = listOf(ScriptOutput("banner", "x")))))
    }

    @Test
    fun `a corrupt chunk is one StoreException naming it, whatever the damage`() {
        val good = PortChunks.encode(ports)
        fun corrupt(bytes: ByteArray, why: String) {
            val e = assertThrows<StoreException>(why) { PortChunks.decode(bytes, "port chunk 3 of host 0") }
            assertTrue(e.message!!.startsWith("port chunk 3 of host 0 is corrupt: "), e.message)
            assertFalse('\n' in e.message!!)
        }
        corrupt(ByteArray(0), "empty")
        corrupt(byteArrayOf(2) + good.copyOfRange(1, good.size), "unknown format")
        for (n in 1 until good.size) corrupt(good.copyOf(n), "cut at $n")
        corrupt(good + 0, "a byte after the end")
        corrupt(byteArrayOf(1, 1, 2, 0xC3.toByte(), 0x28, 0), "not UTF-8")
        corrupt(byteArrayOf(1, 1, 0x7f, 'x'.code.toByte(), 0), "a string longer than the chunk")
        corrupt(byteArrayOf(1, 0x80.toByte(), 0x80.toByte(), 0x80.toByte(), 0x80.toByte(), 0x80.toByte(), 0x80.toByte(), 0x80.toByte(), 0x80.toByte(), 0x80.toByte(), 0x7f), "a number of 70 bits")
        corrupt(byteArrayOf(1, 0xff.toByte(), 0xff.toByte(), 0xff.toByte(), 0xff.toByte(), 0x0f), "4 G strings in a few bytes")
        corrupt(byteArrayOf(1, 0, 0x81.toByte(), 0x80.toByte(), 0x10), "more ports than a chunk can hold")
        corrupt(byteArrayOf(1, 1, 1, 'x'.code.toByte(), 1, 2, 0, 1, 1, 0, 0, 0), "protocol code 2")
        corrupt(byteArrayOf(1, 1, 1, 'x'.code.toByte(), 1, 0, 0, 1, 6, 0, 0, 0), "state code 6")
        corrupt(byteArrayOf(1, 1, 1, 'x'.code.toByte(), 1, 0, 0, 1, 1, 1, 0, 0), "reason index past the strings")
        corrupt(byteArrayOf(1, 1, 1, 'x'.code.toByte(), 1, 0, 0, 1, 1, 0, 2, 0), "service index past the strings")
        corrupt(byteArrayOf(1, 0, 1, 0, 0, 1, 1, 0, 0, 0), "a reason with no strings")
        // the well-formed neighbour of the cases above decodes
        assertEquals(listOf(PortResult(1, Protocol.TCP, PortState.CLOSED, "x", "x", null)), PortChunks.decode(byteArrayOf(1, 1, 1, 'x'.code.toByte(), 1, 0, 0, 1, 1, 0, 1, 0), "c"))
    }
}
