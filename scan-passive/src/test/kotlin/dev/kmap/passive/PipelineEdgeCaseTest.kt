package dev.kmap.passive

import dev.kmap.dsl.PassiveLimits
import dev.kmap.passive.Frames.ACK
import dev.kmap.passive.Frames.FIN
import dev.kmap.passive.Frames.Frame
import dev.kmap.passive.Frames.Link
import dev.kmap.passive.Frames.PSH
import dev.kmap.passive.Frames.RST
import dev.kmap.passive.Frames.SYN
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import java.nio.file.Path
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Synthetic captures of one HTTP/1.1 keep-alive conversation, mangled as networks and captures
 * do, each written as pcap and as pcapng and read back through the whole pipeline.
 */
class PipelineEdgeCaseTest {
    @TempDir lateinit var dir: Path

    private val client = Frames.ip4("10.247.0.1")
    private val server = Frames.ip4("10.247.0.11")
    private val req1 = "GET /a HTTP/1.1\r\nHost: www.kmap.lab\r\nUser-Agent: curl/7.88.1\r\n\r\n".toByteArray()
    private val resp1 = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 10\r\n\r\n0123456789".toByteArray()
    private val req2 = "GET /b HTTP/1.1\r\nHost: www.kmap.lab\r\n\r\n".toByteArray()
    private val resp2 = "HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".toByteArray()
    private val expected = listOf(
        PassiveMessage.HttpRequest("GET", "/a", "HTTP/1.1", "www.kmap.lab", "curl/7.88.1"),
        PassiveMessage.HttpResponse("HTTP/1.1", 200, "OK", "nginx/1.22.1", null),
        PassiveMessage.HttpRequest("GET", "/b", "HTTP/1.1", "www.kmap.lab", null),
        PassiveMessage.HttpResponse("HTTP/1.1", 404, "Not Found", "nginx/1.22.1", null),
    )

    private var ts = 1_700_000_000_000_000_000L
    private fun c(seq: Int, ack: Int, flags: Int, data: ByteArray = ByteArray(0), link: Link = Link.ETHERNET, v6: Boolean = false) =
        Frames.tcp(if (v6) Frames.ip6("fd10:247::1") else client, 40000, if (v6) Frames.ip6("fd10:247::11") else server, 80, seq, ack, flags, data, link = link, ts = ts++ * 1_000, srcMac = 0x026b6d000101L)
    private fun s(seq: Int, ack: Int, flags: Int, data: ByteArray = ByteArray(0), link: Link = Link.ETHERNET, v6: Boolean = false) =
        Frames.tcp(if (v6) Frames.ip6("fd10:247::11") else server, 80, if (v6) Frames.ip6("fd10:247::1") else client, 40000, seq, ack, flags, data, link = link, ts = ts++ * 1_000)

    /** The conversation in order: handshake, two request/response pairs, FINs; data split into [split]-byte segments. */
    private fun conversation(link: Link = Link.ETHERNET, v6: Boolean = false, split: Int = 1000): List<Frame> {
        val f = ArrayList<Frame>()
        var cs = 1000
        var ss = 5000
        f += c(cs, 0, SYN, link = link, v6 = v6); f += s(ss, cs + 1, SYN or ACK, link = link, v6 = v6); cs++; ss++
        f += c(cs, ss, ACK, link = link, v6 = v6)
        for ((req, resp) in listOf(req1 to resp1, req2 to resp2)) {
            for (part in req.toList().chunked(split)) { f += c(cs, ss, PSH or ACK, part.toByteArray(), link, v6); cs += part.size }
            for (part in resp.toList().chunked(split)) { f += s(ss, cs, PSH or ACK, part.toByteArray(), link, v6); ss += part.size }
        }
        f += c(cs, ss, FIN or ACK, link = link, v6 = v6); f += s(ss, cs + 1, FIN or ACK, link = link, v6 = v6); f += c(cs + 1, ss + 1, ACK, link = link, v6 = v6)
        return f
    }

    private fun run(frames: List<Frame>, format: CaptureFileWriter.Format, snap: Int = 262144, limits: PassiveLimits = PassiveLimits()): List<PassiveEvent> =
        Frames.events(Frames.write(dir.resolve("t.${format.name.lowercase()}"), format, frames, snap), limits)

    private fun assertOneFlow(events: List<PassiveEvent>, reason: EndReason) {
        val started = events.filterIsInstance<PassiveEvent.Started>()
        assertEquals(1, started.size, "flows: $started")
        assertEquals(40000, started.single().flow.initiatorPort)
        assertTrue(events.filterIsInstance<PassiveEvent.Message>().all { it.flow == started.single().flow }, "the initiator never flips")
        assertEquals(reason, events.filterIsInstance<PassiveEvent.Ended>().single().reason)
    }

    @ParameterizedTest @EnumSource(CaptureFileWriter.Format::class)
    fun `in order, with the TCP states`(format: CaptureFileWriter.Format) {
        val events = run(conversation(), format)
        assertEquals(expected, Frames.messages(events))
        assertOneFlow(events, EndReason.CLOSED)
        val states = events.filterIsInstance<PassiveEvent.StateChange>().map { it.to }
        assertEquals(listOf(FlowState.SYN_RECEIVED, FlowState.ESTABLISHED, FlowState.FIN_WAIT, FlowState.CLOSING, FlowState.CLOSED), states)
        val stats = events.filterIsInstance<PassiveEvent.Ended>().single().stats
        assertEquals((req1.size + req2.size).toLong(), stats.bytesUp)
        assertEquals((resp1.size + resp2.size).toLong(), stats.bytesDown)
    }

    @ParameterizedTest @EnumSource(Link::class)
    fun `every link type and VLAN tagging`(link: Link) {
        for (format in CaptureFileWriter.Format.entries) {
            assertEquals(expected, Frames.messages(run(conversation(link), format)), "$link $format")
            assertEquals(expected, Frames.messages(run(conversation(link, v6 = true), format)), "$link IPv6 $format")
        }
    }

    @ParameterizedTest @EnumSource(CaptureFileWriter.Format::class)
    fun `retransmitted segments are dropped and counted`(format: CaptureFileWriter.Format) {
        val f = conversation(split = 7)
        val withRetrans = f.flatMapIndexed { i, fr -> if (i in 3..f.size - 4 && i % 3 == 0) listOf(fr, fr) else listOf(fr) }
        val events = run(withRetrans, format)
        assertEquals(expected, Frames.messages(events))
        assertTrue(events.filterIsInstance<PassiveEvent.Ended>().single().stats.retransmittedBytes > 0)
    }

    @ParameterizedTest @EnumSource(CaptureFileWriter.Format::class)
    fun `out-of-order segments are put back in order`(format: CaptureFileWriter.Format) {
        val f = conversation(split = 5).toMutableList()
        for (i in 3 until f.size - 4 step 4) { val t = f[i]; f[i] = f[i + 1]; f[i + 1] = t } // swap pairs of data segments
        val events = run(f, format)
        assertEquals(expected, Frames.messages(events))
        assertOneFlow(events, EndReason.CLOSED)
        assertTrue(events.filterIsInstance<PassiveEvent.Ended>().single().stats.outOfOrderBytes > 0)
    }

    @ParameterizedTest @EnumSource(CaptureFileWriter.Format::class)
    fun `overlapping segments keep the bytes that came first`(format: CaptureFileWriter.Format) {
        val f = conversation().toMutableList()
        // resend the first request as two overlapping pieces around the original, with garbage where they overlap already-sent bytes
        val overlap = c(1001 + 4, 5001, PSH or ACK, "XXXXXXXXXX".toByteArray() + req1.copyOfRange(14, 30))
        f.add(4, overlap)
        val events = run(f, format)
        assertEquals(expected, Frames.messages(events))
    }

    @ParameterizedTest @EnumSource(CaptureFileWriter.Format::class)
    fun `a reset mid-stream ends the flow with what was seen`(format: CaptureFileWriter.Format) {
        val f = conversation().take(6) + c(1001 + req1.size + req2.size, 5001, RST)
        val events = run(f, format)
        assertEquals(expected.take(3), Frames.messages(events))
        assertOneFlow(events, EndReason.RESET)
        assertEquals(FlowState.RESET, events.filterIsInstance<PassiveEvent.Ended>().single().state)
    }

    @ParameterizedTest @EnumSource(CaptureFileWriter.Format::class)
    fun `a snap length cut is a gap, bodies are skipped, headers poison the parser`(format: CaptureFileWriter.Format) {
        // 14 Ethernet + 20 IP + 20 TCP + 70 bytes: the first response's body is cut, its headers are not
        val events = run(conversation(), format, snap = 54 + 70)
        val m = Frames.messages(events)
        assertEquals(expected[0], m[0])
        assertTrue(events.filterIsInstance<PassiveEvent.Ended>().single().stats.gapBytes > 0)
    }

    @ParameterizedTest @EnumSource(CaptureFileWriter.Format::class)
    fun `truncated and malformed frames are counted, never thrown`(format: CaptureFileWriter.Format) {
        val good = conversation()
        val bad = listOf(Frame(good[3].bytes.copyOf(30), 1, 1), Frame(good[3].bytes.copyOf(50), 1, 2), Frame(ByteArray(3), 1, 3))
        val events = run(good.take(3) + bad + good.drop(3), format)
        assertEquals(expected, Frames.messages(events))
        assertEquals(3, events.filterIsInstance<PassiveEvent.Finished>().single().stats.malformed)
    }

    @Test
    fun `a file cut inside its last record ends cleanly and says so`() {
        val p = Frames.write(dir.resolve("cut.pcap"), CaptureFileWriter.Format.PCAP, conversation())
        val bytes = java.nio.file.Files.readAllBytes(p)
        java.nio.file.Files.write(p, bytes.copyOf(bytes.size - 10))
        CaptureFileSource.open(p).use { src ->
            var n = 0
            while (true) { val r = src.read({ _, _, _, _, _, _ -> }, 64); if (r < 0) break; n += r }
            assertEquals(conversation().size - 1, n)
            assertTrue(src.truncated)
        }
    }

    @Test
    fun `maxFlows evicts the least recently seen flow`() {
        val frames = (0 until 10).map { i -> Frames.tcp(client, 41000 + i, server, 80, 1, 0, SYN, ts = (i + 1) * 1_000_000L) } +
            Frames.tcp(client, 41000, server, 80, 1, 0, SYN, ts = 20_000_000L)
        val events = run(frames, CaptureFileWriter.Format.PCAP, limits = PassiveLimits(maxFlows = 4))
        val ended = events.filterIsInstance<PassiveEvent.Ended>()
        val evicted = ended.filter { it.reason == EndReason.EVICTED }.map { it.flow.initiatorPort }
        assertEquals((41000..41006).toList(), evicted.take(7))
        assertTrue(events.filterIsInstance<PassiveEvent.Finished>().single().stats.peakFlows <= 4)
    }

    @Test
    fun `flows end after their idle timeout in capture time`() {
        val dns = byteArrayOf(0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w'.code.toByte(), 'w'.code.toByte(), 'w'.code.toByte(), 0, 0, 1, 0, 1)
        val frames = listOf(
            Frames.udp(client, 5000, server, 53, dns, ts = 1_000_000_000L),
            Frames.tcp(client, 40000, server, 22, 1, 0, SYN, ts = 2_000_000_000L),
            Frames.udp(client, 5001, server, 53, dns, ts = 70_000_000_000L), // 69 s later: the first UDP flow idled out (60 s)
        )
        val events = run(frames, CaptureFileWriter.Format.PCAPNG)
        val idle = events.filterIsInstance<PassiveEvent.Ended>().filter { it.reason == EndReason.IDLE }
        assertEquals(listOf(5000), idle.map { it.flow.initiatorPort }, "UDP idles out after 60 s, TCP (5 min) does not")
    }

    @Test
    fun `buffers stay within the global cap whatever arrives out of order`() {
        val f = ArrayList<Frame>()
        f += c(1000, 0, SYN); f += s(5000, 1001, SYN or ACK); f += c(1001, 5001, ACK)
        // a hole at 1001, then 200 segments of 1000 bytes beyond it
        for (i in 1..200) f += c(1001 + i * 1000, 5001, ACK, ByteArray(1000) { 'a'.code.toByte() })
        val limits = PassiveLimits(maxBufferPerFlow = 1 shl 20, maxBufferTotal = 50_000)
        val events = run(f, CaptureFileWriter.Format.PCAP, limits = limits)
        val stats = events.filterIsInstance<PassiveEvent.Finished>().single().stats
        assertTrue(stats.peakBufferedBytes <= 50_000, "peak ${stats.peakBufferedBytes}")
        assertTrue(stats.droppedBytes > 0)
    }

    @Test
    fun `the initiator is the SYN's sender even when the SYN-ACK is seen first`() {
        val f = conversation()
        val events = run(listOf(f[1], f[0]) + f.drop(2), CaptureFileWriter.Format.PCAP)
        assertEquals(40000, events.filterIsInstance<PassiveEvent.Started>().single().flow.initiatorPort)
        assertEquals(expected, Frames.messages(events))
    }
}
