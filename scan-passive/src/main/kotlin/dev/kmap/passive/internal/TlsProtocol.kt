package dev.kmap.passive.internal

import dev.kmap.passive.ByteBudget
import dev.kmap.passive.FlowKey
import dev.kmap.passive.MessageSink
import dev.kmap.passive.PassiveMessage
import dev.kmap.passive.ServiceMatcher
import dev.kmap.passive.StreamParser
import dev.kmap.passive.StreamProtocol
import java.io.ByteArrayInputStream
import java.security.MessageDigest
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.util.HexFormat

/** TLS: a handshake record (22) of version 3.x. */
internal object TlsProtocol : StreamProtocol {
    override val name = "tls"

    override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int) =
        length >= 3 && buffer[offset].toInt() == 0x16 && buffer[offset + 1].toInt() == 3 && buffer[offset + 2] in 0..4

    override fun create(flow: FlowKey, budget: ByteBudget, matcher: ServiceMatcher): StreamParser = TlsParser(budget)
}

/**
 * The clear part of a TLS handshake: records are followed without buffering them, handshake
 * messages are gathered (at most [MAX_MESSAGE] bytes each) and parsed: ClientHello (SNI, ALPN,
 * versions, JA3, JA4), ServerHello (JA3S), and the server's Certificate while it is in the
 * clear (TLS 1.2 and older). A side is done once its part is encrypted (ChangeCipherSpec,
 * application data, or a TLS 1.3 ServerHello).
 */
internal class TlsParser(private val budget: ByteBudget) : StreamParser {
    private inner class Side {
        val header = ByteArray(5)
        var headerLen = 0
        var recordType = 0
        var recordLeft = 0
        val hsHeader = ByteArray(4)
        var hsHeaderLen = 0
        var hsType = 0
        var hsLen = 0
        var hsSkip = false
        val acc = Accumulator(budget, MAX_MESSAGE)
        var done = false
    }

    private val up = Side()
    private val down = Side()
    override var poisonReason: String? = null
        private set

    override fun data(fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        var o = offset
        val end = offset + length
        while (o < end && !s.done && poisonReason == null) {
            if (s.recordLeft == 0) {
                s.header[s.headerLen++] = buffer[o++]
                if (s.headerLen < 5) continue
                s.headerLen = 0
                s.recordType = s.header[0].toInt() and 0xff
                val len = FrameDecoder.u16(s.header, 3)
                if (s.header[1].toInt() != 3 || len > MAX_RECORD) { poisonReason = "not a TLS record"; return }
                when (s.recordType) {
                    22, 21 -> Unit
                    20, 23 -> { s.done = true; return } // ChangeCipherSpec, application data: the rest is encrypted
                    else -> { poisonReason = "TLS record of unknown type ${s.recordType}"; return }
                }
                s.recordLeft = len
                if (len == 0) continue
            }
            val k = minOf(s.recordLeft, end - o)
            if (s.recordType == 22) handshake(s, fromInitiator, buffer, o, k, out)
            s.recordLeft -= k
            o += k
        }
    }

    private fun handshake(s: Side, fromInitiator: Boolean, b: ByteArray, off: Int, len: Int, out: MessageSink) {
        var o = off
        val end = off + len
        while (o < end && !s.done && poisonReason == null) {
            if (s.hsHeaderLen < 4) {
                s.hsHeader[s.hsHeaderLen++] = b[o++]
                if (s.hsHeaderLen < 4) continue
                s.hsType = s.hsHeader[0].toInt() and 0xff
                s.hsLen = ((s.hsHeader[1].toInt() and 0xff) shl 16) or FrameDecoder.u16(s.hsHeader, 2)
                s.hsSkip = s.hsLen > MAX_MESSAGE || s.hsType !in setOf(1, 2, 11)
                s.acc.clear()
                if (s.hsLen == 0) { message(s, fromInitiator, b, 0, 0, out); s.hsHeaderLen = 0 }
                continue
            }
            val k = minOf(s.hsLen - s.acc.size, end - o)
            if (s.hsSkip) {
                s.hsLen -= k
                o += k
                if (s.hsLen == 0) { s.hsHeaderLen = 0; if (s.hsType == 11 || s.hsType == 2) serverProgress(s, out) }
                continue
            }
            if (s.acc.size == 0 && k == s.hsLen) {
                message(s, fromInitiator, b, o, k, out)
                s.hsHeaderLen = 0
            } else {
                if (!s.acc.append(b, o, k)) { s.done = true; return } // no room: give up this side quietly
                if (s.acc.size == s.hsLen) {
                    message(s, fromInitiator, s.acc.data, 0, s.acc.size, out)
                    s.acc.clear()
                    s.hsHeaderLen = 0
                }
            }
            o += k
        }
    }

    private fun serverProgress(s: Side, out: MessageSink) { if (s === down && s.hsType == 11) s.done = true }

    private fun message(s: Side, fromInitiator: Boolean, b: ByteArray, off: Int, len: Int, out: MessageSink) {
        when (s.hsType) {
            1 -> { TlsHello.client(b, off, len)?.let { out.message(fromInitiator, it) }; if (fromInitiator) s.done = true }
            2 -> TlsHello.server(b, off, len)?.let {
                out.message(fromInitiator, it)
                if (it.version >= 0x0304) s.done = true // everything after it is encrypted
            }
            11 -> { TlsHello.certificate(b, off, len)?.let { out.message(fromInitiator, it) }; s.done = true }
        }
    }

    override fun gap(fromInitiator: Boolean, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        if (!s.done) poisonReason = "a gap in the TLS handshake"
    }

    override fun end(fromInitiator: Boolean, reset: Boolean, out: MessageSink) { (if (fromInitiator) up else down).done = true }
    override fun wants(fromInitiator: Boolean) = poisonReason == null && !(if (fromInitiator) up else down).done
    override fun release() { up.acc.release(); down.acc.release() }

    private companion object {
        const val MAX_RECORD = 18432
        const val MAX_MESSAGE = 64 shl 10
    }
}

/** Parsing of ClientHello, ServerHello and Certificate bodies; null for anything malformed. */
internal object TlsHello {
    private class Reader(val b: ByteArray, var p: Int, val end: Int) {
        fun has(n: Int) = n >= 0 && end - p >= n
        fun u8(): Int = if (has(1)) b[p++].toInt() and 0xff else throw Short
        fun u16(): Int = if (has(2)) FrameDecoder.u16(b, p).also { p += 2 } else throw Short
        fun u24(): Int = if (has(3)) (((b[p].toInt() and 0xff) shl 16) or FrameDecoder.u16(b, p + 1)).also { p += 3 } else throw Short
        fun skip(n: Int) { if (has(n)) p += n else throw Short }
        fun sub(n: Int): Reader { if (!has(n)) throw Short; return Reader(b, p, p + n).also { p += n } }

        /** The hello's extensions, when it has any: each one's type and body. */
        inline fun extensions(each: (type: Int, body: Reader) -> Unit) {
            if (!has(2)) return
            val ext = sub(u16())
            while (ext.has(4)) {
                val type = ext.u16()
                each(type, ext.sub(ext.u16()))
            }
        }
    }

    /** Thrown inside parsing only, caught at the entry points: a preallocated singleton without a stack trace. */
    private object Short : RuntimeException(null, null, false, false) { private fun readResolve(): Any = Short }

    fun isGrease(v: Int) = v and 0x0f0f == 0x0a0a && (v ushr 8) == (v and 0xff)

    fun client(b: ByteArray, off: Int, len: Int): PassiveMessage.TlsClientHello? = try {
        val r = Reader(b, off, off + len)
        val legacy = r.u16()
        r.skip(32)
        r.skip(r.u8())
        val cs = r.sub(r.u16())
        val ciphers = ArrayList<Int>()
        while (cs.has(2)) ciphers += cs.u16()
        r.skip(r.u8())
        val extensions = ArrayList<Int>()
        val groups = ArrayList<Int>()
        val formats = ArrayList<Int>()
        val sigAlgs = ArrayList<Int>()
        val versions = ArrayList<Int>()
        val alpn = ArrayList<String>()
        var sni: String? = null
        r.extensions { type, e ->
            extensions += type
            when (type) {
                0 -> if (e.has(2)) {
                    val list = e.sub(e.u16())
                    while (list.has(3) && sni == null) {
                        val kind = list.u8()
                        val n = list.u16()
                        if (kind == 0 && list.has(n)) sni = text(list.b, list.p, n, 255)
                        list.skip(n)
                    }
                }
                10 -> { val l = e.sub(e.u16()); while (l.has(2)) groups += l.u16() }
                11 -> { val l = e.sub(e.u8()); while (l.has(1)) formats += l.u8() }
                13 -> { val l = e.sub(e.u16()); while (l.has(2)) sigAlgs += l.u16() }
                16 -> { val l = e.sub(e.u16()); while (l.has(1)) { val n = l.u8(); if (!l.has(n)) break; alpn += text(l.b, l.p, n, 64); l.skip(n) } }
                43 -> { val l = e.sub(e.u8()); while (l.has(2)) versions += l.u16() }
            }
        }
        val fp = fingerprints(legacy, ciphers, extensions, groups, formats, versions, sigAlgs, sni != null, alpn.firstOrNull())
        PassiveMessage.TlsClientHello(
            legacyVersion = legacy, supportedVersions = versions.ifEmpty { listOf(legacy) }, cipherSuites = ciphers,
            extensions = extensions, serverName = sni, alpn = alpn, ja3 = fp.ja3, ja3Hash = fp.ja3Hash, ja4 = fp.ja4,
        )
    } catch (_: Short) { null }

    private class Fingerprints(val ja3: String, val ja3Hash: String, val ja4: String)

    /**
     * JA3 and JA4 of a ClientHello, from a cache of the last [FINGERPRINTS] distinct ones: a
     * client sends the same lists in every hello, and the hashes cost more than the parse.
     * The key is every input of both fingerprints.
     */
    private fun fingerprints(
        legacy: Int, ciphers: List<Int>, extensions: List<Int>, groups: List<Int>, formats: List<Int>,
        versions: List<Int>, sigAlgs: List<Int>, sni: Boolean, alpn: String?,
    ): Fingerprints {
        val k = IntArray(8 + ciphers.size + extensions.size + groups.size + formats.size + versions.size + sigAlgs.size)
        var i = 0
        k[i++] = legacy; k[i++] = if (sni) 1 else 0
        for (l in arrayOf(ciphers, extensions, groups, formats, versions, sigAlgs)) { k[i++] = l.size; for (v in l) k[i++] = v }
        val key = FingerprintKey(k, alpn)
        synchronized(fingerprintCache) { fingerprintCache[key]?.let { return it } }
        val ja3 = buildString {
            append(legacy).append(',')
            ciphers.filterNot(::isGrease).joinTo(this, "-"); append(',')
            extensions.filterNot(::isGrease).joinTo(this, "-"); append(',')
            groups.filterNot(::isGrease).joinTo(this, "-"); append(',')
            formats.joinTo(this, "-")
        }
        val fp = Fingerprints(ja3, hex(md5(ja3)), ja4(legacy, versions, ciphers, extensions, sni, alpn, sigAlgs))
        synchronized(fingerprintCache) { fingerprintCache[key] = fp }
        return fp
    }

    private class FingerprintKey(val values: IntArray, val alpn: String?) {
        private val h = values.contentHashCode() * 31 + alpn.hashCode()
        override fun hashCode() = h
        override fun equals(other: Any?) = other is FingerprintKey && other.h == h && other.values.contentEquals(values) && other.alpn == alpn
    }

    private const val FINGERPRINTS = 256
    private val fingerprintCache = object : LinkedHashMap<FingerprintKey, Fingerprints>(64, 0.75f, true) {
        override fun removeEldestEntry(eldest: MutableMap.MutableEntry<FingerprintKey, Fingerprints>?) = size > FINGERPRINTS
    }

    /** JA4 (FoxIO): `t13d1516h2_<ciphers>_<extensions+signature algorithms>`, over TCP. */
    fun ja4(legacy: Int, versions: List<Int>, ciphers: List<Int>, extensions: List<Int>, sni: Boolean, alpn: String?, sigAlgs: List<Int>): String {
        val v = versions.filterNot(::isGrease).maxOrNull() ?: legacy
        val version = when (v) { 0x0304 -> "13"; 0x0303 -> "12"; 0x0302 -> "11"; 0x0301 -> "10"; 0x0300 -> "s3"; 0x0002 -> "s2"; 0xfeff -> "d1"; 0xfefd -> "d2"; 0xfefc -> "d3"; else -> "00" }
        val cs = ciphers.filterNot(::isGrease)
        val ex = extensions.filterNot(::isGrease)
        val a = when {
            alpn.isNullOrEmpty() -> "00"
            else -> {
                val first = alpn.first()
                val last = alpn.last()
                if (first.isLetterOrDigit() && first.code < 128 && last.isLetterOrDigit() && last.code < 128) "$first$last"
                else { val h = hex(alpn.toByteArray(Charsets.ISO_8859_1)); "${h.first()}${h.last()}" }
            }
        }
        val head = "t$version${if (sni) "d" else "i"}${two(minOf(cs.size, 99))}${two(minOf(ex.size, 99))}$a"
        val cipherPart = if (cs.isEmpty()) "000000000000" else sha12(cs.sorted().joinToString(",") { hex4(it) })
        val exts = ex.filter { it != 0 && it != 16 }.sorted().joinToString(",") { hex4(it) }
        val sigs = sigAlgs.filterNot(::isGrease).joinToString(",") { hex4(it) }
        val extPart = if (ex.isEmpty()) "000000000000" else sha12(if (sigs.isEmpty()) exts else "${exts}_$sigs")
        return "${head}_${cipherPart}_$extPart"
    }

    fun server(b: ByteArray, off: Int, len: Int): PassiveMessage.TlsServerHello? = try {
        val r = Reader(b, off, off + len)
        var version = r.u16()
        val legacy = version
        r.skip(32)
        r.skip(r.u8())
        val cipher = r.u16()
        r.u8()
        val extensions = ArrayList<Int>()
        var alpn: String? = null
        r.extensions { type, e ->
            extensions += type
            when (type) {
                43 -> if (e.has(2)) version = e.u16()
                16 -> if (e.has(3)) { e.u16(); val n = e.u8(); if (e.has(n)) alpn = text(e.b, e.p, n, 64) }
            }
        }
        val ja3s = "$legacy,$cipher,${extensions.joinToString("-")}"
        val hash = synchronized(ja3sCache) { ja3sCache[ja3s] } ?: hex(md5(ja3s)).also { h -> synchronized(ja3sCache) { ja3sCache[ja3s] = h } }
        PassiveMessage.TlsServerHello(version, cipher, alpn, ja3s, hash)
    } catch (_: Short) { null }

    fun certificate(b: ByteArray, off: Int, len: Int): PassiveMessage.TlsCertificate? = try {
        val r = Reader(b, off, off + len)
        val list = r.sub(r.u24())
        var count = 0
        var leaf: ByteArray? = null
        while (list.has(3)) {
            val n = list.u24()
            if (!list.has(n)) break
            if (leaf == null) leaf = b.copyOfRange(list.p, list.p + n)
            list.skip(n)
            count++
        }
        leaf?.let { der -> x509(der, count) }
    } catch (_: Short) { null }

    /** Servers send the same certificate to every client: parse each distinct one once (a small LRU). */
    private val certificates = object : LinkedHashMap<Key, PassiveMessage.TlsCertificate>(64, 0.75f, true) {
        override fun removeEldestEntry(eldest: MutableMap.MutableEntry<Key, PassiveMessage.TlsCertificate>?) = size > 256
    }

    private class Key(val der: ByteArray) {
        private val h = der.contentHashCode()
        override fun hashCode() = h
        override fun equals(other: Any?) = other is Key && other.der.contentEquals(der)
    }

    private fun x509(der: ByteArray, chain: Int): PassiveMessage.TlsCertificate? {
        val key = Key(der)
        synchronized(certificates) { certificates[key] }?.let { return it.copy(chainLength = chain) }
        val parsed = parse(der, chain) ?: return null
        synchronized(certificates) { certificates[key] = parsed }
        return parsed
    }

    private fun parse(der: ByteArray, chain: Int): PassiveMessage.TlsCertificate? = try {
        val c = CertificateFactory.getInstance("X.509").generateCertificate(ByteArrayInputStream(der)) as X509Certificate
        val sans = c.subjectAlternativeNames?.mapNotNull { e -> (e.getOrNull(1) as? String)?.let { v -> if (e[0] == 7) "IP:$v" else "DNS:$v" } }.orEmpty()
        PassiveMessage.TlsCertificate(
            subject = c.subjectX500Principal.getName("RFC2253").take(512), issuer = c.issuerX500Principal.getName("RFC2253").take(512),
            subjectAltNames = sans.take(64), notBeforeMillis = c.notBefore.time, notAfterMillis = c.notAfter.time,
            serial = c.serialNumber.toString(16).uppercase(), sha256 = hex(MessageDigest.getInstance("SHA-256").digest(der)), chainLength = chain,
        )
    } catch (_: Exception) { null }

    private val ja3sCache = object : LinkedHashMap<String, String>(64, 0.75f, true) {
        override fun removeEldestEntry(eldest: MutableMap.MutableEntry<String, String>?) = size > FINGERPRINTS
    }

    private fun two(n: Int) = if (n < 10) "0$n" else n.toString()

    /** [v] as four lower-case hex digits (JA4's spelling of a 16-bit value). */
    fun hex4(v: Int): String = String(CharArray(4) { HEX[(v ushr (12 - 4 * it)) and 0xf] })

    private fun md5(s: String) = MessageDigest.getInstance("MD5").digest(s.toByteArray())
    private fun sha12(s: String) = hex(MessageDigest.getInstance("SHA-256").digest(s.toByteArray())).take(12)
    private fun hex(b: ByteArray): String = HexFormat.of().formatHex(b)
    private const val HEX = "0123456789abcdef"
}
