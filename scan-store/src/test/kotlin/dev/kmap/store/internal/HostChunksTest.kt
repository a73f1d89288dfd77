package dev.kmap.store.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.OsMatch
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

class HostChunksTest {
    private val hosts = listOf(
        HostResult(
            Host(IpAddress.parse("10.252.0.11"), "web.lab\u0000"), HostStatus.UP, "syn-ack",
            listOf(PortResult(22, Protocol.TCP, PortState.OPEN, "syn-ack", "ssh", 7), PortResult(23, Protocol.TCP, PortState.CLOSED, "reset", null, null)),
            reverseName = "web-01.lab", latencyMicros = 95, startedAtMillis = 1_700_000_000_123, finishedAtMillis = 1_700_000_001_456,
            mac = "02:00:0a:fc:00:0b", hostnames = listOf("www.kmap.lab"), os = listOf(OsMatch("Linux", "Linux", 90, "p0f", "sig")),
        ),
        HostResult(Host(IpAddress.parse("fd10:252::13")), HostStatus.DOWN, "no-response", startedAtMillis = -5, finishedAtMillis = Long.MAX_VALUE),
        HostResult(
            Host(IpAddress.parse("0.0.0.0"), "nowhere.invalid"), HostStatus.UNKNOWN, "unresolved", error = "failed to resolve \"nowhere.invalid\"",
            timedOut = true, latencyMicros = Long.MIN_VALUE,
        ),
    )

    private fun entries() = hosts.mapIndexed { i, r -> HostChunks.Entry(100 - i, 7 + i, r) }

    @Test
    fun `every field of a host round-trips, with its numbers`() {
        val decoded = HostChunks.decode(HostChunks.encode(entries()), "chunk")
        assertEquals(hosts, decoded.map { it.result })
        assertEquals(listOf(100, 99, 98), decoded.map { it.hostNo })
        assertEquals(listOf(7, 8, 9), decoded.map { it.finishSeq })
        assertEquals(emptyList(), HostChunks.decode(HostChunks.encode(emptyList()), "chunk"))
    }

    @Test
    fun `hosts with scripts or service detection stay rows`() {
        assertTrue(HostChunks.fits(hosts[0]))
        assertFalse(HostChunks.fits(hosts[0].copy(hostScripts = listOf(ScriptOutput("x", "y")))))
        assertFalse(HostChunks.fits(hosts[0].copy(ports = listOf(hosts[0].ports[0].copy(scripts = listOf(ScriptOutput("banner", "x")))))))
        assertFalse(HostChunks.fits(hosts[0].copy(ports = listOf(hosts[0].ports[0].copy(serviceInfo = ServiceInfo("ssh"))))))
    }

    @Test
    fun `the fuzzer's seed is a chunk of one host`() {
        val seed = javaClass.getResourceAsStream("ChunksJazzerTestInputs/fuzz/seed-host")!!.readBytes()
        val host = HostChunks.decode(seed, "seed").single().result
        assertEquals(HostResult(Host(IpAddress.parse("10.0.0.1")), HostStatus.UP, "syn-ack", listOf(PortResult(80, Protocol.TCP, PortState.OPEN, "syn-ack")),
            latencyMicros = 95, startedAtMillis = 1000, finishedAtMillis = 2000), host)
    }

    @Test
    fun `a corrupt chunk is one StoreException naming it, whatever the damage`() {
        val good = HostChunks.encode(entries())
        fun corrupt(bytes: ByteArray, why: String) {
            val e = assertThrows<StoreException>(why) { HostChunks.decode(bytes, "host chunk 7 of scan 1") }
            assertTrue(e.message!!.startsWith("host chunk 7 of scan 1"), e.message)
            assertTrue(" is corrupt: " in e.message!!, e.message)
            assertFalse('\n' in e.message!!)
        }
        corrupt(ByteArray(0), "empty")
        corrupt(byteArrayOf(2) + good.copyOfRange(1, good.size), "unknown format")
        for (n in 1 until good.size) corrupt(good.copyOf(n), "cut at $n")
        corrupt(good + 0, "a byte after the end")
        corrupt(byteArrayOf(1, 0x81.toByte(), 0x40), "more hosts than a chunk holds")
        val seed = javaClass.getResourceAsStream("ChunksJazzerTestInputs/fuzz/seed-host")!!.readBytes()
        fun patched(at: Int, vararg b: Int) = seed.copyOf().also { s -> b.forEachIndexed { i, v -> s[at + i] = v.toByte() } }
        corrupt(patched(13, 5), "an address of 5 bytes")
        corrupt(patched(19, 3), "status code 3")
        corrupt(patched(20, 1), "reason index past the strings")
        corrupt(patched(22, 5), "a presence byte of 5")
        corrupt(patched(29, 2), "flags 2")
        corrupt(patched(32, 2, '['.code), "hostnames that are not JSON")
        corrupt(patched(34, 0x81, 0x80, 0x10), "more ports than a chunk holds")
    }
}
