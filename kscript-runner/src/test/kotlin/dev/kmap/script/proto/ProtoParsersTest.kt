package dev.kmap.script.proto

import dev.kmap.script.TcpConnection
import kotlinx.coroutines.runBlocking
import java.io.ByteArrayOutputStream
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.Base64
import kotlin.concurrent.thread
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds

/** The protocol helpers: known values, and fuzzing (random and mutated bytes) that may only ever raise [ProtocolException]. */
class ProtoParsersTest {
    private val random = Random(20261121)

    /** Random byte arrays of 0..[max] bytes, plus truncations and byte flips of each of [valid]. */
    private fun inputs(vararg valid: ByteArray, max: Int = 300, count: Int = 3000): Sequence<ByteArray> = sequence {
        repeat(count) { yield(random.nextBytes(random.nextInt(max + 1))) }
        for (v in valid) {
            for (n in 0..v.size) yield(v.copyOf(n))
            repeat(count) {
                val m = v.copyOf()
                repeat(1 + random.nextInt(4)) { if (m.isNotEmpty()) m[random.nextInt(m.size)] = random.nextInt(256).toByte() }
                yield(m)
            }
        }
    }

    /** Runs [parse] on every input: it returns or throws [ProtocolException], nothing else. */
    private fun fuzz(inputs: Sequence<ByteArray>, parse: (ByteArray) -> Unit): Int {
        var rejected = 0
        for (input in inputs) {
            try { parse(input) } catch (e: ProtocolException) { rejected++ } catch (e: Throwable) {
                throw AssertionError("${e::class.qualifiedName}: ${e.message} on ${input.joinToString("") { "%02x".format(it) }}", e)
            }
        }
        return rejected
    }

    private fun hex(s: String) = s.chunked(2).map { it.toInt(16).toByte() }.toByteArray()

    @Test
    fun `ByteReader names what is missing instead of an index exception`() {
        val r = ByteReader(byteArrayOf(1, 2, 3), "test reply")
        assertEquals(0x0102, r.u16())
        val e = assertFailsWith<ProtocolException> { r.u32("length") }
        assertEquals("test reply too short: length needs 4 bytes, 1 left at offset 2", e.message)
        assertFailsWith<ProtocolException> { ByteReader(ByteArray(2)).bytes(-1) }
    }

    @Test
    fun `ssh host key fingerprints match ssh-keygen, and bad blobs only raise ProtocolException`() {
        val blob = Base64.getDecoder().decode("AAAAC3NzaC1lZDI1NTE5AAAAILN+C1F7iYLD48TA2saKGAlTJpEnXsIaGW/KNUav2r5K")
        val key = SshHostKey.parse(blob)
        assertEquals("ED25519", key.type)
        assertEquals(256, key.bits)
        assertEquals("SHA256:hZAKvF5/M1JIN49CaoZjvthGr7x52V6OqWpmImHSOBU", key.sha256)
        assertEquals("MD5:fb:90:75:20:cc:b1:ff:a1:6a:35:5f:2e:3b:ea:af:fd", key.md5)
        val rsa = ByteArrayOutputStream().apply {
            fun s(b: ByteArray) { write(byteArrayOf(0, 0, (b.size ushr 8).toByte(), b.size.toByte())); write(b) }
            s("ssh-rsa".toByteArray()); s(byteArrayOf(1, 0, 1)); s(byteArrayOf(0) + ByteArray(384) { 0x7f })
        }.toByteArray()
        assertEquals(3071, SshHostKey.parse(rsa).bits)
        fuzz(inputs(blob, rsa)) { SshHostKey.parse(it).let { k -> k.type; k.sha256 } }
    }

    @Test
    fun `ServerHello parsing reads version, suite and ALPN, and survives garbage`() {
        // TLS 1.2 ServerHello choosing ECDHE-RSA-AES128-GCM-SHA256 with ALPN h2
        val body = hex("0303" + "11".repeat(32) + "00" + "c02f" + "00" + "0009" + "0010" + "0005" + "0003" + "026832")
        assertEquals(TlsHello.ServerHello(0x0303, 0xC02F, "h2", false), TlsHello.parseServerHello(body))
        val tls13 = hex("0303" + "22".repeat(32) + "20" + "33".repeat(32) + "1302" + "00" + "0006" + "002b" + "0002" + "0304")
        assertEquals(TlsHello.ServerHello(0x0304, 0x1302, null, false), TlsHello.parseServerHello(tls13))
        assertEquals("TLS_AES_256_GCM_SHA384", TlsCipherSuites.name(0x1302))
        assertEquals("0xFFFE", TlsCipherSuites.name(0xFFFE))
        assertTrue(fuzz(inputs(body, tls13)) { TlsHello.parseServerHello(it) } > 0)
        // the ClientHello is a well-formed record: type, version, length matching
        val hello = TlsHello.clientHello(TlsHello.TLS13, TlsCipherSuites.TLS13.keys.toList(), listOf("h2"), "www.kmap.lab")
        assertEquals(0x16, hello[0].toInt())
        assertEquals(hello.size - 5, ((hello[3].toInt() and 0xff) shl 8) or (hello[4].toInt() and 0xff))
    }

    @Test
    fun `DNS queries round-trip, names with compression loops are rejected, garbage only raises ProtocolException`() {
        val q = DnsMessage.query("id.server", DnsMessage.TXT, DnsMessage.CH, recursionDesired = true, nsid = true, id = 0x1234)
        val m = DnsMessage.parse(q)
        assertEquals(0x1234, m.id)
        assertTrue(m.recursionDesired)
        assertEquals(0, m.nsid!!.size)
        // a reply: header, question, one TXT answer pointing back at the question name, OPT with NSID "ns1"
        val reply = hex("1234" + "8400" + "0001" + "0001" + "0000" + "0001" +
            "026964067365727665720000100003" + "c00c" + "0010" + "0003" + "00000000" + "0005" + "046b6d6170" +
            "00" + "0029" + "1000" + "00000000" + "0007" + "0003" + "0003" + "6e7331")
        val r = DnsMessage.parse(reply)
        assertEquals("kmap", r.answers.single().text)
        assertEquals("id.server", r.answers.single().name)
        assertEquals("ns1", String(r.nsid!!))
        assertEquals("NOERROR", DnsMessage.rcodeName(r.rcode))
        val loop = hex("0000" + "8000" + "0001" + "0000" + "0000" + "0000" + "c00c")
        assertFailsWith<ProtocolException> { DnsMessage.parse(loop) }
        fuzz(inputs(reply, q, loop)) { DnsMessage.parse(it).answers.forEach { a -> a.text; a.address } }
    }

    @Test
    fun `BER encodes SNMP values and decodes garbage only with ProtocolException`() {
        assertEquals("1.3.6.1.2.1.1.1.0", Ber.oid("1.3.6.1.2.1.1.1.0").oidString())
        assertEquals("1.3.6.1.4.1.311.21.20", Ber.decode(Ber.oid("1.3.6.1.4.1.311.21.20").encode()).oidString())
        assertEquals(-129L, Ber.decode(Ber.integer(-129).encode()).integer())
        val long = Ber.string("x".repeat(300))
        assertEquals("x".repeat(300), Ber.decode(long.encode()).text())
        val request = Ber.constructed(Ber.SEQUENCE, Ber.integer(0), Ber.string("public"),
            Ber.constructed(0xA2, Ber.integer(7), Ber.integer(0), Ber.integer(0), Ber.constructed(Ber.SEQUENCE,
                Ber.constructed(Ber.SEQUENCE, Ber.oid("1.3.6.1.2.1.1.1.0"), Ber.string("kmap")),
                Ber.constructed(Ber.SEQUENCE, Ber.oid("1.3.6.1.2.1.1.3.0"), Ber(0x43, byteArrayOf(1, 0)))))).encode()
        val pdu = Ber.decode(request).children[2]
        assertEquals(256L, pdu.children[3].children[1].children[1].unsigned())
        fun walk(b: Ber) { if (b.tag == Ber.OID) b.oidString(); if (b.tag == Ber.INTEGER) b.integer(); b.unsigned().also { }; b.children.forEach(::walk) }
        fuzz(inputs(request, long.encode())) { walk(Ber.decode(it)) }
    }

    @Test
    fun `NTP request and reply fields, short replies rejected`() {
        val req = NtpPacket.clientRequest(java.time.Instant.parse("2026-11-21T00:00:00Z"))
        val p = NtpPacket.parse(req)
        assertEquals(4, p.version); assertEquals(3, p.mode)
        assertEquals(java.time.Instant.parse("2026-11-21T00:00:00Z"), p.transmitTime)
        val reply = req.copyOf().also { it[0] = 0x24; it[1] = 8; it[12] = 0x7f; it[13] = 0x7f; it[14] = 1; it[15] = 1 }
        assertEquals("127.127.1.1", NtpPacket.parse(reply).refid)
        assertEquals("7f7f0101", NtpPacket.parse(reply).refidHex)
        assertEquals("NTP reply too short: 47 bytes, expected 48", assertFailsWith<ProtocolException> { NtpPacket.parse(ByteArray(47)) }.message)
        fuzz(inputs(reply, max = 100)) { NtpPacket.parse(it).refid }
    }

    @Test
    fun `MySQL handshakes and error packets`() {
        val payload = ByteArrayOutputStream().apply {
            write(10); write("5.5.5-10.11.19-MariaDB".toByteArray()); write(0); write(byteArrayOf(7, 0, 0, 0))
            write(ByteArray(8) { 0x41 }); write(0); write(byteArrayOf(0xfe.toByte(), 0xf7.toByte())); write(45); write(byteArrayOf(2, 0))
            write(byteArrayOf(0xff.toByte(), 0x81.toByte())); write(21); write(ByteArray(10)); write(ByteArray(12) { 0x42 }); write(0)
            write("mysql_native_password".toByteArray()); write(0)
        }.toByteArray()
        val packet = byteArrayOf(payload.size.toByte(), 0, 0, 0) + payload
        val hs = MysqlHandshake.parse(packet)
        assertEquals("5.5.5-10.11.19-MariaDB", hs.version); assertEquals(7L, hs.threadId)
        assertEquals("mysql_native_password", hs.authPlugin)
        assertEquals(2, hs.status)
        assertTrue("Support41Auth" in hs.capabilityNames)
        val error = byteArrayOf(20, 0, 0, 0, 0xff.toByte(), 0x6a, 0x04) + "Host 'x' is blocked".toByteArray()
        assertEquals("MySQL error 1130: Host 'x' is blocked", assertFailsWith<ProtocolException> { MysqlHandshake.parse(error) }.message)
        fuzz(inputs(packet, error)) { MysqlHandshake.parse(it).capabilityNames }
    }

    /** A loopback server that answers every connection with [reply] then closes its side. */
    private fun <T> withServer(reply: ByteArray, client: suspend (TcpConnection) -> T): T {
        ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { server ->
            val t = thread {
                runCatching {
                    server.accept().use { s ->
                        s.getOutputStream().write(reply); s.getOutputStream().flush(); s.shutdownOutput()
                        s.soTimeout = 2000
                        runCatching { while (s.getInputStream().read(ByteArray(4096)) >= 0) Unit }
                    }
                }
            }
            try {
                val socket = Socket().apply { connect(InetSocketAddress(InetAddress.getLoopbackAddress(), server.localPort), 2000) }
                return TcpConnection(socket, 300.milliseconds).use { runBlocking { client(it) } }
            } finally { t.join(5000) }
        }
    }

    @Test
    fun `stream clients (TLS, SSH, PostgreSQL) meet garbage servers with ProtocolException or a null result only`() {
        val tlsPrefix = hex("16030300")
        val cases = listOf<Pair<ByteArray, suspend (TcpConnection) -> Unit>>(
            ByteArray(0) to { c -> assertNull(TlsHello.exchange(c, TlsHello.clientHello(TlsHello.TLS12, listOf(0xC02F)))) },
            hex("15030300020228") to { c -> assertNull(TlsHello.exchange(c, TlsHello.clientHello(TlsHello.TLS12, listOf(0xC02F)))) },
        )
        for ((reply, client) in cases) withServer(reply, client)
        repeat(60) { i ->
            val garbage = random.nextBytes(random.nextInt(200))
            val inputs = listOf(
                garbage, tlsPrefix + garbage, "SSH-2.0-fuzz\r\n".toByteArray() + garbage,
                "SSH-2.0-fuzz\r\n".toByteArray() + hex("000000" + "%02x".format(random.nextInt(256))) + garbage,
                byteArrayOf('R'.code.toByte(), 0, 0, 0, (8 + random.nextInt(4)).toByte(), 0, 0, 0, random.nextInt(13).toByte()) + garbage,
            )
            for (input in inputs) {
                for (client in listOf<suspend (TcpConnection) -> Unit>(
                    { c -> TlsHello.exchange(c, TlsHello.clientHello(TlsHello.TLS13, listOf(0x1301))) },
                    { c -> SshClient(c).run { exchangeVersions(); hostKey("ssh-ed25519") } },
                    { c -> SshClient(c).run { exchangeVersions(); authMethods("root") } },
                    { c -> PgsqlSession(c).start("postgres", password = "x") },
                )) {
                    try { withServer(input, client) } catch (e: ProtocolException) {
                    } catch (e: Throwable) { throw AssertionError("case $i: ${e::class.qualifiedName}: ${e.message}", e) }
                }
            }
        }
    }
}
