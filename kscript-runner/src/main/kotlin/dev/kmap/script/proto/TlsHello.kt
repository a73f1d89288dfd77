package dev.kmap.script.proto

import dev.kmap.script.TcpConnection
import java.io.ByteArrayOutputStream
import java.security.SecureRandom

/**
 * Hand-built TLS ClientHellos and ServerHello parsing, for probing what a server offers without
 * the JDK's own cipher and protocol lists (`ssl-enum-ciphers`, `tls-alpn`). Versions are wire
 * values: `0x0301` TLS 1.0 … `0x0304` TLS 1.3.
 *
 * ```kotlin
 * val hello = TlsHello.clientHello(TlsHello.TLS12, listOf(0xC02F, 0xC030), alpn = listOf("h2"))
 * val reply = tcp { TlsHello.exchange(this, hello) }   // null: the server refused (alert or close)
 * println(reply?.cipherSuite?.let(TlsCipherSuites::name))
 * ```
 */
public object TlsHello {
    /** TLS 1.0. */ public const val TLS10: Int = 0x0301
    /** TLS 1.1. */ public const val TLS11: Int = 0x0302
    /** TLS 1.2. */ public const val TLS12: Int = 0x0303
    /** TLS 1.3. */ public const val TLS13: Int = 0x0304

    /** `TLSv1.2` style name of a wire [version]. */
    public fun versionName(version: Int): String = when (version) {
        0x0300 -> "SSLv3"; TLS10 -> "TLSv1.0"; TLS11 -> "TLSv1.1"; TLS12 -> "TLSv1.2"; TLS13 -> "TLSv1.3"
        else -> "0x%04X".format(version)
    }

    private val HRR_RANDOM = "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C".chunked(2).map { it.toInt(16).toByte() }.toByteArray()
    private val random = SecureRandom()

    /**
     * The server's answer to a ClientHello: the [version] it chose, its [cipherSuite], the
     * [alpn] protocol it selected (only visible below TLS 1.3), and whether it was a
     * HelloRetryRequest.
     *
     * ```kotlin
     * val hello: TlsHello.ServerHello = TlsHello.parseServerHello(handshakeBody)
     * ```
     */
    public data class ServerHello(val version: Int, val cipherSuite: Int, val alpn: String?, val helloRetryRequest: Boolean)

    /**
     * A ClientHello record offering [version] (TLS 1.3 via supported_versions and an X25519
     * key share), [cipherSuites], ALPN [alpn] and, for a host name, SNI [serverName].
     */
    public fun clientHello(version: Int, cipherSuites: List<Int>, alpn: List<String> = emptyList(), serverName: String? = null): ByteArray {
        val ext = ByteArrayOutputStream()
        fun extension(type: Int, body: ByteArray) { ext.u16(type); ext.u16(body.size); ext.write(body) }
        if (serverName != null && serverName.any { it.isLetter() } && ':' !in serverName) {
            val name = serverName.toByteArray(Charsets.US_ASCII)
            extension(0x0000, bytes { u16(name.size + 3); write(0); u16(name.size); write(name) })
        }
        val groups = listOf(0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101)
        extension(0x000a, bytes { u16(groups.size * 2); groups.forEach { u16(it) } })
        extension(0x000b, bytes { write(1); write(0) })
        val sigs = listOf(0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202)
        extension(0x000d, bytes { u16(sigs.size * 2); sigs.forEach { u16(it) } })
        if (alpn.isNotEmpty()) {
            val list = bytes { alpn.forEach { p -> val b = p.toByteArray(Charsets.US_ASCII); write(b.size); write(b) } }
            extension(0x0010, bytes { u16(list.size); write(list) })
        }
        extension(0xff01, byteArrayOf(0))
        if (version >= TLS13) {
            extension(0x002b, bytes { write(2); u16(TLS13) })
            extension(0x002d, byteArrayOf(1, 1))
            val key = ByteArray(32).also { random.nextBytes(it) }
            extension(0x0033, bytes { u16(36); u16(0x001d); u16(32); write(key) })
        }
        val extensions = ext.toByteArray()
        val body = bytes {
            u16(minOf(version, TLS12))
            write(ByteArray(32).also { random.nextBytes(it) })
            if (version >= TLS13) { write(32); write(ByteArray(32).also { random.nextBytes(it) }) } else write(0)
            u16(cipherSuites.size * 2); cipherSuites.forEach { u16(it) }
            write(1); write(0)
            u16(extensions.size); write(extensions)
        }
        val handshake = bytes { write(1); u24(body.size); write(body) }
        return bytes { write(0x16); u16(TLS10); u16(handshake.size); write(handshake) }
    }

    /**
     * Sends [clientHello] on [connection] and reads the ServerHello: null when the server
     * answers with an alert or closes; [ProtocolException] when it answers something else.
     */
    public suspend fun exchange(connection: TcpConnection, clientHello: ByteArray): ServerHello? {
        connection.send(clientHello)
        val handshake = ByteArrayOutputStream()
        // a ServerHello takes a few records; a server that sends tiny or empty ones forever is cut off
        repeat(MAX_RECORDS) {
            val header = connection.receiveExactly(5)
            if (header.isEmpty()) return null
            if (header.size < 5) throw ProtocolException("TLS record header too short: ${header.size} bytes")
            val r = ByteReader(header, "TLS record header")
            val type = r.u8(); r.u16(); val length = r.u16()
            if (length > 18432) throw ProtocolException("TLS record too long: $length bytes")
            val body = connection.receiveExactly(length)
            if (body.size < length) throw ProtocolException("TLS record cut short: ${body.size} of $length bytes")
            when (type) {
                0x15 -> return null
                0x16 -> {
                    // RFC 8446 5.1: handshake records are never empty
                    if (length == 0) throw ProtocolException("empty TLS handshake record")
                    handshake.write(body)
                    val h = handshake.toByteArray()
                    if (h.size >= 4) {
                        val hr = ByteReader(h, "TLS handshake")
                        val msgType = hr.u8(); val msgLen = hr.u24()
                        if (msgType != 2) throw ProtocolException("expected a ServerHello (2), got handshake message type $msgType")
                        if (msgLen > MAX_SERVER_HELLO) throw ProtocolException("ServerHello too long: $msgLen bytes")
                        if (hr.remaining >= msgLen) return parseServerHello(hr.bytes(msgLen))
                    }
                }
                else -> throw ProtocolException("not a TLS handshake: record type $type")
            }
        }
        throw ProtocolException("no ServerHello in the first $MAX_RECORDS TLS records")
    }

    /** Records read for one ServerHello at most (a ServerHello is at most [MAX_SERVER_HELLO] bytes). */
    private const val MAX_RECORDS = 256
    private const val MAX_SERVER_HELLO = 65536

    /** Parses a ServerHello handshake body (after the 4-byte handshake header). */
    public fun parseServerHello(body: ByteArray): ServerHello {
        val r = ByteReader(body, "ServerHello")
        var version = r.u16("version")
        val rnd = r.bytes(32, "random")
        r.skip(r.u8("session id length"), "session id")
        val cipher = r.u16("cipher suite")
        r.u8("compression")
        var alpn: String? = null
        if (r.remaining >= 2) {
            val ext = r.sub(r.u16("extensions length"), "extensions")
            while (ext.remaining > 0) {
                val type = ext.u16("extension type")
                val e = ext.sub(ext.u16("extension length"), "extension")
                when (type) {
                    0x002b -> version = e.u16("supported_versions")
                    0x0010 -> { val list = e.sub(e.u16("ALPN list length")); alpn = String(list.bytes(list.u8("ALPN length")), Charsets.ISO_8859_1) }
                }
            }
        }
        return ServerHello(version, cipher, alpn, rnd.contentEquals(HRR_RANDOM))
    }

    private fun bytes(block: ByteArrayOutputStream.() -> Unit): ByteArray = ByteArrayOutputStream().apply(block).toByteArray()
    private fun ByteArrayOutputStream.u16(v: Int) { write(v ushr 8); write(v) }
    private fun ByteArrayOutputStream.u24(v: Int) { write(v ushr 16); write(v ushr 8); write(v) }
}
