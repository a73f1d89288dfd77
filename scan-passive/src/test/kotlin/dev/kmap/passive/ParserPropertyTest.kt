package dev.kmap.passive

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.PassiveLimits
import dev.kmap.passive.internal.DnsCodec
import dev.kmap.passive.internal.FrameDecoder
import dev.kmap.passive.internal.Packet
import dev.kmap.passive.internal.TlsHello
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The parsers' invariants as properties: one chunk or any random split of the same bytes gives
 * the same messages; random and mutated bytes never throw; buffers stay within the budget.
 */
class ParserPropertyTest {
    private val flow = FlowKey(6, IpAddress.parse("10.0.0.1"), 40000, IpAddress.parse("10.0.0.2"), 443)

    private fun clientHello(sni: String, alpn: List<String>): ByteArray {
        val ext = ByteArrayOutputStream()
        fun u16(o: ByteArrayOutputStream, v: Int) { o.write(v ushr 8); o.write(v) }
        fun ext(type: Int, body: ByteArray) { u16(ext, type); u16(ext, body.size); ext.write(body) }
        val name = sni.toByteArray()
        ext(0, ByteArrayOutputStream().apply { u16(this, name.size + 3); write(0); u16(this, name.size); write(name) }.toByteArray())
        ext(0x0a0a, ByteArray(0)) // GREASE
        ext(10, byteArrayOf(0, 4, 0, 0x1d, 0, 0x17))
        ext(11, byteArrayOf(1, 0))
        ext(13, byteArrayOf(0, 4, 4, 3, 8, 4))
        val a = ByteArrayOutputStream().apply { alpn.forEach { write(it.length); write(it.toByteArray()) } }.toByteArray()
        ext(16, ByteArrayOutputStream().apply { u16(this, a.size); write(a) }.toByteArray())
        ext(43, byteArrayOf(4, 3, 4, 3, 3))
        val body = ByteArrayOutputStream().apply {
            u16(this, 0x0303); write(ByteArray(32)); write(0)
            u16(this, 6); u16(this, 0x1a1a); u16(this, 0x1301); u16(this, 0xc02f)
            write(1); write(0)
            val e = ext.toByteArray(); u16(this, e.size); write(e)
        }.toByteArray()
        val hs = byteArrayOf(1, 0, (body.size ushr 8).toByte(), body.size.toByte()) + body
        return byteArrayOf(0x16, 3, 1, (hs.size ushr 8).toByte(), hs.size.toByte()) + hs
    }

    private fun dnsQuery(id: Int, name: String) = ByteArrayOutputStream().apply {
        write(id ushr 8); write(id); write(byteArrayOf(1, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        name.split('.').forEach { write(it.length); write(it.toByteArray()) }; write(byteArrayOf(0, 0, 1, 0, 1))
    }.toByteArray()

    private fun framed(vararg m: ByteArray) = ByteArrayOutputStream().apply { m.forEach { write(it.size ushr 8); write(it.size); write(it) } }.toByteArray()

    /** Conversations per protocol: (initiator bytes, responder bytes). */
    private val streams: Map<StreamProtocol, Pair<ByteArray, ByteArray>> = mapOf(
        PassiveParsers.DEFAULT.stream[0] to (clientHello("www.kmap.lab", listOf("h2", "http/1.1")) to byteArrayOf()),
        PassiveParsers.DEFAULT.stream[1] to ("SSH-2.0-OpenSSH_9.6\r\n".toByteArray() to "hello\r\nSSH-2.0-OpenSSH_9.2p1 Debian-2\r\nbinary".toByteArray()),
        PassiveParsers.DEFAULT.stream[2] to (
            ("GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /p HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nhelloHEAD /h HTTP/1.0\r\n\r\n").toByteArray() to
                ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: y\r\n\r\n" +
                    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokHTTP/1.0 200 OK\r\nContent-Length: 99\r\n\r\n").toByteArray()
            ),
        PassiveParsers.DEFAULT.stream[3] to (
            framed(dnsQuery(1, "www.kmap.lab"), byteArrayOf(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, -1), dnsQuery(2, "mail.kmap.lab")) to byteArrayOf()
            ),
    )

    private fun feed(proto: StreamProtocol, up: ByteArray, down: ByteArray, rnd: Random?): List<PassiveMessage> {
        val out = ArrayList<PassiveMessage>()
        val parser = proto.create(flow.copy(responderPort = 53), ByteBudget(1 shl 20), ServiceMatcher.NONE)
        val sink = MessageSink { _, m -> out += m }
        for ((fromInitiator, bytes) in listOf(true to up, false to down)) {
            var o = 0
            while (o < bytes.size) {
                val n = if (rnd == null) bytes.size - o else rnd.nextInt(1, minOf(bytes.size - o, 40) + 1)
                parser.data(fromInitiator, bytes, o, n, sink)
                o += n
            }
        }
        parser.end(true, false, sink); parser.end(false, false, sink)
        parser.release()
        return out
    }

    @Test
    fun `any split of the same bytes gives the same messages`() {
        for ((proto, conv) in streams) {
            val whole = feed(proto, conv.first, conv.second, null)
            assertTrue(whole.isNotEmpty(), "${proto.name} says nothing")
            repeat(300) { seed -> assertEquals(whole, feed(proto, conv.first, conv.second, Random(seed)), "${proto.name} split with seed $seed") }
        }
        val http = feed(PassiveParsers.DEFAULT.stream[2], streams.getValue(PassiveParsers.DEFAULT.stream[2]).first, streams.getValue(PassiveParsers.DEFAULT.stream[2]).second, null)
        assertEquals(listOf("GET", "POST", "HEAD"), http.filterIsInstance<PassiveMessage.HttpRequest>().map { it.method })
        assertEquals(listOf(100, 200, 201, 200), http.filterIsInstance<PassiveMessage.HttpResponse>().map { it.status })
        val dns = feed(PassiveParsers.DEFAULT.stream[3], streams.getValue(PassiveParsers.DEFAULT.stream[3]).first, byteArrayOf(), null)
        assertEquals(listOf("www.kmap.lab", "mail.kmap.lab"), dns.filterIsInstance<PassiveMessage.Dns>().map { it.questions.single().name }, "a malformed message consumes its length")
    }

    @Test
    fun `random and mutated bytes never throw`() {
        val rnd = Random(16)
        val protos = PassiveParsers.DEFAULT.stream + PassiveParsers.BANNER
        repeat(3000) { i ->
            val seed = streams.values.toList()[i % streams.size].first
            val bytes = if (i % 2 == 0) ByteArray(rnd.nextInt(0, 600)).also { rnd.nextBytes(it) } else seed.copyOf().also { b ->
                repeat(rnd.nextInt(1, 8)) { if (b.isNotEmpty()) b[rnd.nextInt(b.size)] = rnd.nextInt(256).toByte() }
            }
            for (p in protos) feed(p, bytes, bytes.reversedArray(), Random(i))
            DnsCodec.parse(bytes, 0, bytes.size, false)
            TlsHello.client(bytes, 0, bytes.size); TlsHello.server(bytes, 0, bytes.size); TlsHello.certificate(bytes, 0, bytes.size)
            for (lt in listOf(0, 1, 12, 101, 108, 113, 228, 229, 276, 999)) FrameDecoder.decode(lt, bytes, 0, bytes.size, Packet())
        }
    }

    @Test
    fun `random frames through the whole pipeline never throw and stay within the limits`() {
        val rnd = Random(7)
        val limits = PassiveLimits(maxFlows = 50, maxBufferTotal = 100_000)
        var maxFlows = 0
        lateinit var pipeline: PassivePipeline
        pipeline = PassivePipeline(limits) { maxFlows = maxOf(maxFlows, pipeline.flows) }
        val tcp = Frames.tcp(Frames.ip4("10.0.0.1"), 1, Frames.ip4("10.0.0.2"), 80, 1, 1, 0x18, ByteArray(40)).bytes
        repeat(100_000) { i ->
            val f = tcp.copyOf()
            repeat(rnd.nextInt(1, 6)) { f[rnd.nextInt(14, f.size)] = rnd.nextInt(256).toByte() }
            pipeline.frame(if (i % 7 == 0) 101 else 1, f, 0, if (i % 5 == 0) rnd.nextInt(f.size) else f.size, f.size, i * 1_000_000L)
        }
        val stats = pipeline.finish(false)
        assertTrue(stats.peakFlows <= 50 && maxFlows <= 50)
        assertTrue(stats.peakBufferedBytes <= 100_000)
        assertEquals(0, pipeline.budget.used, "every buffer is given back")
    }

    @Test
    fun `random bytes as a capture file give frames or one CaptureFormatException`() {
        val rnd = Random(3)
        val header = ByteArray(24).also { java.nio.ByteBuffer.wrap(it).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4.toInt()).putShort(2).putShort(4).putInt(0).putInt(0).putInt(65535).putInt(1) }
        val ng = byteArrayOf(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a)
        repeat(2000) { i ->
            val body = ByteArray(rnd.nextInt(0, 2000)).also { rnd.nextBytes(it) }
            val bytes = when (i % 3) { 0 -> header + body; 1 -> ng + body; else -> body }
            try {
                val src = CaptureFileSource(ByteArrayInputStream(bytes), "fuzz")
                while (src.read({ _, _, _, _, _, _ -> }, 100) >= 0) Unit
            } catch (_: CaptureFormatException) {
            }
        }
    }

    @Test
    fun `JA3 and JA4 of a known ClientHello`() {
        // A Chrome ClientHello as published with its fingerprints (ja4 t13d1516h2_8daaf6152771_d8a2da3f94cd, ja3 98487aa1...).
        val ciphers = listOf(0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035)
        val exts = listOf(0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b, 0xff01, 0x0023, 0x0012, 0x0005, 0x000d, 0x001b)
        val sigs = listOf(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)
        assertEquals("t13d1516h2_8daaf6152771_d8a2da3f94cd", TlsHello.ja4(0x0303, listOf(0x0304, 0x0303), ciphers, exts, true, "h2", sigs))
        val hello = clientHello("www.kmap.lab", listOf("h2"))
        val m = TlsHello.client(hello, 9, hello.size - 9)!!
        assertEquals("www.kmap.lab", m.serverName)
        assertEquals(listOf("h2"), m.alpn)
        assertEquals("771,4865-49199,0-10-11-13-16-43,29-23,0", m.ja3, "GREASE left out")
        assertTrue(m.ja4.startsWith("t13d0206h2_"), m.ja4)
    }
}
