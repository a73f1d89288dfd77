package dev.kmap.script

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.script.proto.ProtocolException
import dev.kmap.script.proto.SshClient
import dev.kmap.script.proto.TlsHello
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.io.IOException
import java.io.InputStream
import java.io.OutputStream
import java.lang.management.ManagementFactory
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.SocketException
import kotlin.concurrent.thread
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Adversarial servers on 127.0.0.1 against the script helpers: each exchange ends on its own
 * (an error naming the limit) well within its budget and with bounded allocation. Every server
 * loop here is bounded in count and time and stops by itself.
 */
class HostileServersTest {
    private val loopback = InetAddress.getByName("127.0.0.1")

    /** A one-connection server on loopback running [serve] (which must stop by itself). */
    private fun <T> withServer(serve: (Socket) -> Unit, client: (Int) -> T): T = ServerSocket(0, 5, loopback).use { server ->
        val t = thread(isDaemon = true, name = "hostile-server") {
            try { server.accept().use { s -> s.tcpNoDelay = true; serve(s) } } catch (_: IOException) {}
        }
        try { client(server.localPort) } finally { server.close(); t.join(15_000) }
    }

    /** Writes [chunk] until [deadlineMillis] passes, [maxCount] chunks are out or the client goes away. */
    private fun endless(out: OutputStream, chunk: ByteArray, maxCount: Int, deadlineMillis: Long = 10_000, pauseMillis: Long = 0) {
        val end = System.currentTimeMillis() + deadlineMillis
        try {
            repeat(maxCount) {
                if (System.currentTimeMillis() > end) return
                out.write(chunk); out.flush()
                if (pauseMillis > 0) Thread.sleep(pauseMillis)
            }
        } catch (_: SocketException) {}
    }

    private fun context(port: Int) = ActionContext(
        "hostile", HostResult(Host(IpAddress.parse("127.0.0.1")), HostStatus.UP, "user-set", listOf(PortResult(port, Protocol.TCP, PortState.OPEN, "syn-ack", "http"))),
        PortResult(port, Protocol.TCP, PortState.OPEN, "syn-ack", "http"), ScriptRegistry(), ScriptArgs.EMPTY, ioTimeout = 2.seconds,
    )

    private fun allocatedBytes(): Long {
        val bean = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        return bean.getThreadAllocatedBytes(bean.allThreadIds).filter { it > 0 }.sum()
    }

    private inline fun <T> timed(block: () -> T): Pair<T, Long> {
        val start = System.nanoTime()
        val v = block()
        return v to (System.nanoTime() - start) / 1_000_000
    }

    @Test
    fun `endless HTTP headers end at the header cap`() {
        val (e, ms) = timed {
            withServer({ s ->
                s.getInputStream().read(ByteArray(4096))
                s.getOutputStream().write("HTTP/1.1 200 OK\r\n".toByteArray())
                endless(s.getOutputStream(), "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".toByteArray(), maxCount = 2_000_000)
            }) { port -> assertFailsWith<IOException> { runBlocking { withTimeout(10.seconds) { context(port).plainHttp.get("/") } } } }
        }
        assertTrue("more than 256 header lines" in e.message.orEmpty(), e.message)
        assertTrue(ms < 5_000, "took $ms ms")
    }

    @Test
    fun `one endless HTTP header line ends at the line cap`() {
        val e = withServer({ s ->
            s.getInputStream().read(ByteArray(4096))
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nX-Long: ".toByteArray())
            endless(s.getOutputStream(), ByteArray(4096) { 'a'.code.toByte() }, maxCount = 100_000)
        }) { port -> assertFailsWith<IOException> { runBlocking { withTimeout(10.seconds) { context(port).plainHttp.get("/") } } } }
        assertTrue(e.message.orEmpty().startsWith("HTTP header line longer than 8192 bytes from 127.0.0.1:"), e.message)
    }

    @Test
    fun `a slow drip is stopped by the budget`() {
        val (r, ms) = timed {
            withServer({ s ->
                s.getInputStream().read(ByteArray(4096))
                s.getOutputStream().write("HTTP/1.1 200 OK\r\n".toByteArray())
                endless(s.getOutputStream(), "X".toByteArray(), maxCount = 100, pauseMillis = 100)
            }) { port -> runCatching { runBlocking { withTimeout(1500.milliseconds) { context(port).plainHttp.get("/") } } } }
        }
        assertTrue(r.exceptionOrNull() is kotlinx.coroutines.TimeoutCancellationException, "$r")
        assertTrue(ms < 3_000, "took $ms ms")
    }

    @Test
    fun `a byte-at-a-time peer does not make receiveExactly allocate its whole size per byte`() {
        val before = allocatedBytes()
        val got = withServer({ s ->
            endless(s.getOutputStream(), byteArrayOf(7), maxCount = 400, pauseMillis = 1)
        }) { port -> runBlocking { context(port).tcp { receiveExactly(1 shl 20) } } }
        val allocated = allocatedBytes() - before
        assertEquals(400, got.size)
        assertTrue(allocated < 64L shl 20, "allocated ${allocated shr 20} MB for 400 bytes")
    }

    @Test
    fun `zero-length TLS records are refused at once`() {
        val (e, ms) = timed {
            withServer({ s ->
                s.getInputStream().read(ByteArray(4096))
                endless(s.getOutputStream(), byteArrayOf(0x16, 3, 3, 0, 0), maxCount = 2_000_000)
            }) { port ->
                assertFailsWith<ProtocolException> {
                    runBlocking { withTimeout(20.seconds) { context(port).tcp { TlsHello.exchange(this, TlsHello.clientHello(TlsHello.TLS12, listOf(0xC02F))) } } }
                }
            }
        }
        assertEquals("empty TLS handshake record", e.message)
        assertTrue(ms < 5_000, "took $ms ms")
    }

    @Test
    fun `endless tiny TLS records end at the record cap`() {
        val e = withServer({ s ->
            s.getInputStream().read(ByteArray(4096))
            // a ServerHello header announcing 60000 bytes, then one byte per record
            s.getOutputStream().write(byteArrayOf(0x16, 3, 3, 0, 4, 2, 0, 0xEA.toByte(), 0x60))
            endless(s.getOutputStream(), byteArrayOf(0x16, 3, 3, 0, 1, 0), maxCount = 100_000)
        }) { port ->
            assertFailsWith<ProtocolException> {
                runBlocking { withTimeout(20.seconds) { context(port).tcp { TlsHello.exchange(this, TlsHello.clientHello(TlsHello.TLS12, listOf(0xC02F))) } } }
            }
        }
        assertEquals("no ServerHello in the first 256 TLS records", e.message)
    }

    @Test
    fun `endless SSH banners after the userauth request end at the cap`() {
        val (e, ms) = timed {
            withServer({ s -> FakeSshServer(s.getInputStream(), s.getOutputStream()).serveEndlessBanners(maxCount = 1_000_000) }) { port ->
                assertFailsWith<ProtocolException> {
                    runBlocking { withTimeout(20.seconds) { context(port).tcp { SshClient(this).run { exchangeVersions(); authMethods("root") } } } }
                }
            }
        }
        assertEquals("too many SSH banner or EXT_INFO messages after the userauth request", e.message)
        assertTrue(ms < 10_000, "took $ms ms")
    }
}

/**
 * Just enough of an SSH server for [SshClient.authMethods]: curve25519-sha256 key exchange with
 * a made-up ed25519 host key (the client does not check signatures), aes128-ctr and
 * hmac-sha2-256 towards the client; it never reads the client's encrypted packets.
 */
private class FakeSshServer(private val input: InputStream, private val output: OutputStream) {
    private var seq = 0L
    private var cipher: javax.crypto.Cipher? = null
    private var mac: javax.crypto.Mac? = null

    fun serveEndlessBanners(maxCount: Int) {
        val version = "SSH-2.0-hostile"
        output.write("$version\r\n".toByteArray()); output.flush()
        val clientVersion = readLine()
        val serverKexInit = message(20) {
            write(ByteArray(16))
            for (n in listOf("curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes128-ctr", "hmac-sha2-256", "hmac-sha2-256", "none", "none", "", "")) string(n.toByteArray())
            write(0); u32(0)
        }
        send(serverKexInit)
        val clientKexInit = readPlainPacket()
        val ecdhInit = readPlainPacket()
        val qc = ecdhInit.copyOfRange(5, 37)
        val pair = java.security.KeyPairGenerator.getInstance("X25519").generateKeyPair()
        val qs = littleEndian32((pair.public as java.security.interfaces.XECPublicKey).u)
        val agreement = javax.crypto.KeyAgreement.getInstance("XDH").apply { init(pair.private) }
        val u = java.math.BigInteger(1, qc.reversedArray().also { it[0] = (it[0].toInt() and 0x7f).toByte() })
        agreement.doPhase(java.security.KeyFactory.getInstance("XDH").generatePublic(java.security.spec.XECPublicKeySpec(java.security.spec.NamedParameterSpec.X25519, u)), true)
        val secret = agreement.generateSecret()
        val hostKey = bytes { string("ssh-ed25519".toByteArray()); string(ByteArray(32) { 1 }) }
        val h = java.security.MessageDigest.getInstance("SHA-256").digest(bytes {
            for (b in listOf(clientVersion.toByteArray(), version.toByteArray(), clientKexInit, serverKexInit, hostKey, qc, qs)) string(b)
            write(mpint(secret))
        })
        send(message(31) { string(hostKey); string(qs); string(bytes { string("ssh-ed25519".toByteArray()); string(ByteArray(64)) }) })
        send(byteArrayOf(21))
        fun key(letter: Char, size: Int): ByteArray = java.security.MessageDigest.getInstance("SHA-256").run {
            update(mpint(secret)); update(h); update(letter.code.toByte()); update(h); digest().copyOf(size)
        }
        cipher = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding").apply {
            init(javax.crypto.Cipher.ENCRYPT_MODE, javax.crypto.spec.SecretKeySpec(key('D', 16), "AES"), javax.crypto.spec.IvParameterSpec(key('B', 16)))
        }
        mac = javax.crypto.Mac.getInstance("HmacSHA256").apply { init(javax.crypto.spec.SecretKeySpec(key('F', 32), "HmacSHA256")) }
        send(message(6) { string("ssh-userauth".toByteArray()) })
        val banner = message(53) { string("welcome\n".toByteArray()); string(ByteArray(0)) }
        val end = System.currentTimeMillis() + 10_000
        try {
            repeat(maxCount) { if (System.currentTimeMillis() > end) return; send(banner) }
        } catch (_: SocketException) {}
    }

    private fun readLine(): String {
        val b = java.io.ByteArrayOutputStream()
        while (true) { val c = input.read(); if (c < 0 || c == '\n'.code) break; b.write(c) }
        return b.toString(Charsets.ISO_8859_1).removeSuffix("\r")
    }

    /** An unencrypted packet's payload (the client sends KEXINIT and ECDH_INIT before NEWKEYS). */
    private fun readPlainPacket(): ByteArray {
        val head = input.readNBytes(4)
        val len = java.nio.ByteBuffer.wrap(head).int
        val rest = input.readNBytes(len)
        val pad = rest[0].toInt()
        return rest.copyOfRange(1, len - pad)
    }

    private fun send(payload: ByteArray) {
        val block = if (cipher != null) 16 else 8
        var pad = block - (payload.size + 5) % block
        if (pad < 4) pad += block
        val packet = bytes { u32(payload.size + pad + 1); write(pad); write(payload); write(ByteArray(pad)) }
        val tag = mac?.run { update(bytes { u32(seq.toInt()) }); update(packet); doFinal() } ?: ByteArray(0)
        seq++
        output.write((cipher?.update(packet) ?: packet) + tag); output.flush()
    }

    private fun message(type: Int, block: java.io.ByteArrayOutputStream.() -> Unit) = bytes { write(type); block() }
    private fun bytes(block: java.io.ByteArrayOutputStream.() -> Unit) = java.io.ByteArrayOutputStream().apply(block).toByteArray()
    private fun java.io.ByteArrayOutputStream.u32(v: Int) { write(v ushr 24); write(v ushr 16); write(v ushr 8); write(v) }
    private fun java.io.ByteArrayOutputStream.string(b: ByteArray) { u32(b.size); write(b) }

    private fun mpint(unsigned: ByteArray): ByteArray {
        var v = unsigned.dropWhile { it == 0.toByte() }.toByteArray()
        if (v.isNotEmpty() && v[0] < 0) v = byteArrayOf(0) + v
        return bytes { string(v) }
    }

    private fun littleEndian32(u: java.math.BigInteger): ByteArray {
        val be = u.toByteArray().let { if (it.size > 32) it.copyOfRange(it.size - 32, it.size) else it }
        return ByteArray(32).also { out -> for (i in be.indices) out[i] = be[be.size - 1 - i] }
    }
}
