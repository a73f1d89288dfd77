package dev.kmap.script.proto

import dev.kmap.script.TcpConnection
import java.io.ByteArrayOutputStream
import java.math.BigInteger
import java.security.KeyFactory
import java.security.KeyPairGenerator
import java.security.MessageDigest
import java.security.SecureRandom
import java.security.interfaces.XECPublicKey
import java.security.spec.NamedParameterSpec
import java.security.spec.XECPublicKeySpec
import javax.crypto.Cipher
import javax.crypto.KeyAgreement
import javax.crypto.Mac
import javax.crypto.spec.IvParameterSpec
import javax.crypto.spec.SecretKeySpec

/**
 * A minimal SSH-2 client over a [TcpConnection], enough for scanning: version exchange, the
 * server's KEXINIT, a curve25519-sha256 key exchange (host key only, or completed with
 * aes128-ctr + hmac-sha2-256 from the JDK) and the `none` user authentication that reveals the
 * server's authentication methods. The host key signature is not verified (a scanner only
 * reports the key).
 *
 * ```kotlin
 * val key = tcp { SshClient(this).run { exchangeVersions(); hostKey("ssh-ed25519") } }
 * val methods = tcp { SshClient(this).run { exchangeVersions(); authMethods("root") } }
 * ```
 */
public class SshClient(private val connection: TcpConnection, private val clientVersion: String = "SSH-2.0-kmap_0.1") {
    /** The server's identification line, after [exchangeVersions]. */
    public var serverVersion: String = ""
        private set

    /** The server's KEXINIT name-lists (kex, host key, ciphers, MACs, ...), after [hostKey] or [serverKexInit]. */
    public var serverAlgorithms: Map<String, List<String>> = emptyMap()
        private set

    private var serverKexInit: ByteArray? = null
    private var sendSeq = 0L
    private var recvSeq = 0L
    private var encrypt: Cipher? = null
    private var decrypt: Cipher? = null
    private var sendMac: Mac? = null
    private var recvMac: Mac? = null
    private val random = SecureRandom()

    /** Sends our identification and reads the server's (lines before it are skipped); returns it. */
    public suspend fun exchangeVersions(): String {
        connection.send("$clientVersion\r\n")
        repeat(20) {
            val line = connection.receiveLine(255) ?: throw ProtocolException("the server closed before its SSH identification")
            if (line.startsWith("SSH-")) { serverVersion = line; return line }
        }
        throw ProtocolException("no SSH identification line in the first 20 lines")
    }

    /** Reads the server's KEXINIT and returns its name-lists. */
    public suspend fun serverKexInit(): Map<String, List<String>> {
        val payload = readPacketSkipping()
        if (payload[0].toInt() != 20) throw ProtocolException("expected KEXINIT (20), got message ${payload[0].toInt() and 0xff}")
        serverKexInit = payload
        val r = ByteReader(payload, "KEXINIT", 17)
        serverAlgorithms = NAMES.associateWith { name ->
            String(r.bytes(r.u32(name).toInt().coerceAtLeast(0), name), Charsets.ISO_8859_1).split(',').filter { it.isNotEmpty() }
        }
        return serverAlgorithms
    }

    /** Runs curve25519-sha256 offering only [hostKeyAlgorithm] and returns the server's host key. */
    public suspend fun hostKey(hostKeyAlgorithm: String): SshHostKey = keyExchange(hostKeyAlgorithm).hostKey

    /**
     * Completes the key exchange (the server's preferred host key algorithm), asks for the
     * `ssh-userauth` service and tries `none` for [user]: the methods the server lists, or
     * `["none"]` when it lets [user] in without any.
     */
    public suspend fun authMethods(user: String): List<String> {
        val kex = keyExchange(null)
        sendPacket(byteArrayOf(21))
        expect(21, "NEWKEYS")
        fun key(letter: Char, size: Int): ByteArray {
            val d = MessageDigest.getInstance("SHA-256")
            d.update(mpint(kex.secret)); d.update(kex.hash); d.update(letter.code.toByte()); d.update(kex.hash)
            return d.digest().copyOf(size)
        }
        encrypt = Cipher.getInstance("AES/CTR/NoPadding").apply { init(Cipher.ENCRYPT_MODE, SecretKeySpec(key('C', 16), "AES"), IvParameterSpec(key('A', 16))) }
        decrypt = Cipher.getInstance("AES/CTR/NoPadding").apply { init(Cipher.DECRYPT_MODE, SecretKeySpec(key('D', 16), "AES"), IvParameterSpec(key('B', 16))) }
        sendMac = Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(key('E', 32), "HmacSHA256")) }
        recvMac = Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(key('F', 32), "HmacSHA256")) }
        sendPacket(message(5) { string("ssh-userauth") })
        expect(6, "SERVICE_ACCEPT")
        sendPacket(message(50) { string(user); string("ssh-connection"); string("none") })
        repeat(MAX_SKIPPED) {
            val p = readPacketSkipping()
            when (p[0].toInt() and 0xff) {
                53, 7 -> return@repeat // USERAUTH_BANNER, EXT_INFO: read on, a bounded number of times
                52 -> return listOf("none")
                51 -> {
                    val r = ByteReader(p, "USERAUTH_FAILURE", 1)
                    return String(r.bytes(r.u32("methods").toInt().coerceAtLeast(0), "methods"), Charsets.ISO_8859_1).split(',').filter { it.isNotEmpty() }
                }
                else -> throw ProtocolException("unexpected SSH message ${p[0].toInt() and 0xff} after userauth request")
            }
        }
        throw ProtocolException("too many SSH banner or EXT_INFO messages after the userauth request")
    }

    private class Kex(val hostKey: SshHostKey, val secret: ByteArray, val hash: ByteArray)

    private suspend fun keyExchange(hostKeyAlgorithm: String?): Kex {
        val server = serverKexInit ?: run { serverKexInit(); serverKexInit!! }
        val kexAlgs = listOf("curve25519-sha256", "curve25519-sha256@libssh.org")
        if (serverAlgorithms["kex"].orEmpty().none { it in kexAlgs }) throw ProtocolException("the server offers no curve25519-sha256 key exchange: ${serverAlgorithms["kex"]}")
        val hostKeyAlgs = hostKeyAlgorithm?.let { listOf(it) } ?: serverAlgorithms["hostkey"].orEmpty()
        val client = message(20) {
            write(ByteArray(16).also { random.nextBytes(it) })
            for (list in listOf(kexAlgs, hostKeyAlgs, listOf("aes128-ctr"), listOf("aes128-ctr"), listOf("hmac-sha2-256"), listOf("hmac-sha2-256"), listOf("none"), listOf("none"), emptyList(), emptyList())) {
                string(list.joinToString(","))
            }
            write(0); u32(0)
        }
        sendPacket(client)
        val pair = KeyPairGenerator.getInstance("X25519").generateKeyPair()
        val qc = littleEndian32((pair.public as XECPublicKey).u)
        sendPacket(message(30) { string(qc) })
        val reply = expect(31, "KEX_ECDH_REPLY")
        val r = ByteReader(reply, "KEX_ECDH_REPLY", 1)
        val ks = r.bytes(r.u32("host key length").toInt().coerceAtLeast(0), "host key")
        val qs = r.bytes(r.u32("server key length").toInt().coerceAtLeast(0), "server key")
        if (qs.size != 32) throw ProtocolException("server X25519 key is ${qs.size} bytes, not 32")
        val hostKey = SshHostKey.parse(ks)
        val agreement = KeyAgreement.getInstance("XDH")
        agreement.init(pair.private)
        val u = BigInteger(1, qs.reversedArray().also { it[0] = (it[0].toInt() and 0x7f).toByte() })
        agreement.doPhase(KeyFactory.getInstance("XDH").generatePublic(XECPublicKeySpec(NamedParameterSpec.X25519, u)), true)
        val secret = try { agreement.generateSecret() } catch (e: Exception) { throw ProtocolException("bad server X25519 key: ${e.message}") }
        val h = MessageDigest.getInstance("SHA-256").run {
            val b = ByteArrayOutputStream()
            for (s in listOf(clientVersion.toByteArray(), serverVersion.toByteArray(), client, server, ks, qc, qs)) b.string(s)
            b.write(mpint(secret))
            digest(b.toByteArray())
        }
        return Kex(hostKey, secret, h)
    }

    private suspend fun expect(type: Int, name: String): ByteArray {
        val p = readPacketSkipping()
        if ((p[0].toInt() and 0xff) != type) throw ProtocolException("expected $name ($type), got SSH message ${p[0].toInt() and 0xff}")
        return p
    }

    private suspend fun readPacketSkipping(): ByteArray {
        repeat(MAX_SKIPPED) {
            val p = readPacket()
            when (p[0].toInt() and 0xff) {
                1 -> throw ProtocolException("the server disconnected: " + runCatching { ByteReader(p, "DISCONNECT", 5).let { r -> String(r.bytes(r.u32().toInt()), Charsets.UTF_8) } }.getOrDefault("?"))
                2, 4 -> {}
                else -> return p
            }
        }
        throw ProtocolException("too many SSH IGNORE/DEBUG messages")
    }

    private suspend fun readPacket(): ByteArray {
        val block = if (decrypt != null) 16 else 8
        val first = received(block)
        val firstPlain = decrypt?.update(first) ?: first
        val length = ByteReader(firstPlain, "SSH packet").u32("packet length")
        if (length < 5 || length > 35000 || (length + 4) % block != 0L) throw ProtocolException("bad SSH packet length $length")
        val rest = received((length + 4 - block).toInt())
        val restPlain = decrypt?.update(rest) ?: rest
        val packet = firstPlain + restPlain
        recvMac?.let { mac ->
            val expected = received(32)
            mac.update(u32bytes(recvSeq)); mac.update(packet)
            if (!MessageDigest.isEqual(mac.doFinal(), expected)) throw ProtocolException("SSH packet MAC mismatch")
        }
        recvSeq++
        val padding = packet[4].toInt() and 0xff
        if (padding + 1 >= length) throw ProtocolException("bad SSH padding length $padding")
        return packet.copyOfRange(5, (4 + length - padding).toInt())
    }

    private suspend fun received(n: Int): ByteArray {
        val b = connection.receiveExactly(n)
        if (b.size < n) throw ProtocolException(if (b.isEmpty()) "the SSH server closed the connection" else "SSH packet cut short")
        return b
    }

    private suspend fun sendPacket(payload: ByteArray) {
        val block = if (encrypt != null) 16 else 8
        var pad = block - (payload.size + 5) % block
        if (pad < 4) pad += block
        val packet = ByteArrayOutputStream().apply {
            u32(payload.size + pad + 1L); write(pad); write(payload); write(ByteArray(pad).also { random.nextBytes(it) })
        }.toByteArray()
        val mac = sendMac?.let { it.update(u32bytes(sendSeq)); it.update(packet); it.doFinal() }
        sendSeq++
        connection.send((encrypt?.update(packet) ?: packet) + (mac ?: ByteArray(0)))
    }

    private companion object {
        /** Messages skipped in a row at most (IGNORE, DEBUG, banners): a hostile server could send them forever. */
        const val MAX_SKIPPED = 50
        val NAMES = listOf("kex", "hostkey", "cipher_c2s", "cipher_s2c", "mac_c2s", "mac_s2c", "compression_c2s", "compression_s2c")

        fun message(type: Int, block: ByteArrayOutputStream.() -> Unit): ByteArray = ByteArrayOutputStream().apply { write(type); block() }.toByteArray()
        fun ByteArrayOutputStream.u32(v: Long) { write((v ushr 24).toInt()); write((v ushr 16).toInt()); write((v ushr 8).toInt()); write(v.toInt()) }
        fun ByteArrayOutputStream.string(b: ByteArray) { u32(b.size.toLong()); write(b) }
        fun ByteArrayOutputStream.string(s: String) = string(s.toByteArray(Charsets.UTF_8))
        fun u32bytes(v: Long) = ByteArrayOutputStream().apply { u32(v) }.toByteArray()
        fun mpint(unsigned: ByteArray): ByteArray {
            var i = 0
            while (i < unsigned.size && unsigned[i] == 0.toByte()) i++
            var v = unsigned.copyOfRange(i, unsigned.size)
            if (v.isNotEmpty() && v[0] < 0) v = byteArrayOf(0) + v
            return ByteArrayOutputStream().apply { string(v) }.toByteArray()
        }
        fun littleEndian32(u: BigInteger): ByteArray {
            val be = u.toByteArray().let { if (it.size > 32) it.copyOfRange(it.size - 32, it.size) else it }
            val out = ByteArray(32)
            for (i in be.indices) out[i] = be[be.size - 1 - i]
            return out
        }
    }
}
