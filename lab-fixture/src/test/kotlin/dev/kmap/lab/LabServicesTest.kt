package dev.kmap.lab

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.DataInputStream
import java.io.DataOutputStream
import java.io.InputStream
import java.net.DatagramPacket
import java.net.DatagramSocket
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket
import java.nio.ByteBuffer
import java.security.MessageDigest
import java.security.SecureRandom
import java.security.cert.X509Certificate
import java.util.Base64
import javax.crypto.Mac
import javax.crypto.SecretKeyFactory
import javax.crypto.spec.PBEKeySpec
import javax.crypto.spec.SecretKeySpec
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLHandshakeException
import javax.net.ssl.SSLSocket
import javax.net.ssl.TrustManager
import javax.net.ssl.X509TrustManager
import javax.security.auth.x500.X500Principal
import kotlin.math.abs
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Every [LabService] on one lab host (prefix kmsv, 10.218.0.11, fd10:218::11), each checked
 * with a plain-Kotlin protocol exchange against the facts the fixture wrote.
 */
@RequiresLab(config = LabServicesTest.ServicesLab::class)
class LabServicesTest {
    object ServicesLab : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmsv", hosts = 1, net4 = "10.218.0", net6 = "fd10:218::", anyIpPrefix = null,
            services = mapOf(1 to ALL.toSet()),
        )

        /** Every service but dnsmasq, which serves port 53 as NSD does (one of them per host). */
        val ALL: List<LabService> = LabService.entries - LabService.DNSMASQ
    }

    private fun connect(address: InetAddress, port: Int): Socket =
        Socket().apply { connect(InetSocketAddress(address, port), 3000); soTimeout = 5000 }

    private fun InputStream.line(): String {
        val b = StringBuilder()
        while (true) {
            val c = read()
            if (c < 0 || c == '\n'.code) break
            b.append(c.toChar())
        }
        return b.toString().removeSuffix("\r")
    }

    private fun hex(b: ByteArray) = b.joinToString("") { "%02x".format(it) }

    // ------------------------------------------------------------------ HTTP, TLS

    private class HttpReply(val status: Int, val headers: Map<String, String>, val body: String)

    private fun http(address: InetAddress, method: String, path: String): HttpReply =
        connect(address, 80).use { s ->
            s.getOutputStream().write("$method $path HTTP/1.1\r\nHost: www.kmap.lab\r\nConnection: close\r\n\r\n".toByteArray())
            val text = String(s.getInputStream().readBytes(), Charsets.ISO_8859_1)
            val head = text.substringBefore("\r\n\r\n").split("\r\n")
            HttpReply(
                head[0].split(' ')[1].toInt(),
                head.drop(1).associate { it.substringBefore(':').lowercase() to it.substringAfter(':').trim() },
                text.substringAfter("\r\n\r\n"),
            )
        }

    @Test
    fun `nginx serves the title, robots txt, the custom header and only the allowed methods`(lab: Lab) {
        val f = lab.facts(1).http
        val h = lab.host(1)
        for (a in listOf(h.inet4, h.inet6)) {
            val index = http(a, "GET", "/")
            assertEquals(200, index.status)
            assertEquals(f.server, index.headers["server"])
            assertEquals(f.headerValue, index.headers[f.headerName.lowercase()])
            assertEquals(f.title, Regex("<title>(.*)</title>").find(index.body)!!.groupValues[1])
        }
        val robots = http(h.inet4, "GET", "/robots.txt")
        assertEquals(f.robots, robots.body)
        assertEquals(f.robotsDisallow, robots.body.lines().filter { it.startsWith("Disallow:") }.map { it.substringAfter(':').trim() })
        val options = http(h.inet4, "OPTIONS", "/")
        assertEquals(204, options.status)
        assertEquals(f.methods, options.headers["allow"]!!.split(',').map { it.trim() })
        for (m in listOf("POST", "PUT", "DELETE", "TRACE")) assertEquals(405, http(h.inet4, m, "/").status, m)
        assertEquals("GET, HEAD, OPTIONS", f.methods.joinToString(", "))
    }

    private val trustAll = object : X509TrustManager {
        override fun checkClientTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
        override fun checkServerTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
        override fun getAcceptedIssuers(): Array<X509Certificate> = emptyArray()
    }

    private fun tls(address: InetAddress, protocol: String, alpn: List<String>, ciphers: List<String>? = null): SSLSocket {
        val ctx = SSLContext.getInstance("TLS").apply { init(null, arrayOf<TrustManager>(trustAll), SecureRandom()) }
        val s = ctx.socketFactory.createSocket() as SSLSocket
        s.connect(InetSocketAddress(address, 443), 3000)
        s.soTimeout = 5000
        s.sslParameters = s.sslParameters.apply {
            protocols = arrayOf(protocol)
            applicationProtocols = alpn.toTypedArray()
            if (ciphers != null) cipherSuites = ciphers.toTypedArray()
        }
        s.startHandshake()
        return s
    }

    @Test
    fun `nginx presents the fixture certificate over TLS 1_3 and 1_2 with ALPN`(lab: Lab) {
        val f = lab.facts(1).tls
        val h = lab.host(1)
        tls(h.inet4, "TLSv1.3", listOf("h2", "http/1.1")).use { s ->
            assertEquals("TLSv1.3", s.session.protocol)
            assertEquals(f.tls13Ciphers.first(), s.session.cipherSuite)
            assertEquals("h2", s.applicationProtocol)
            val cert = s.session.peerCertificates[0] as X509Certificate
            assertEquals(f.subject, cert.subjectX500Principal.getName(X500Principal.RFC2253))
            assertEquals(f.issuer, cert.issuerX500Principal.getName(X500Principal.RFC2253))
            assertEquals("CN=www.kmap.lab,O=kmap lab,C=XX", f.subject)
            assertEquals(f.serialHex, cert.serialNumber.toString(16).uppercase())
            assertEquals(f.notBefore, cert.notBefore.toInstant())
            assertEquals(f.notAfter, cert.notAfter.toInstant())
            assertEquals("2025-01-01T00:00:00Z", f.notBefore.toString())
            assertEquals(f.sha256, hex(MessageDigest.getInstance("SHA-256").digest(cert.encoded)))
            assertEquals(f.sha1, hex(MessageDigest.getInstance("SHA-1").digest(cert.encoded)))
            assertEquals(f.keyType, cert.publicKey.algorithm)
            assertEquals(f.keyBits, (cert.publicKey as java.security.interfaces.RSAPublicKey).modulus.bitLength())
            val sans = cert.subjectAlternativeNames.map { (type, value) ->
                if (type == 7) "IP:" + InetAddress.getByName(value as String).hostAddress else "DNS:$value"
            }
            assertEquals(f.sans.map { if (it.startsWith("IP:")) "IP:" + InetAddress.getByName(it.substring(3)).hostAddress else it }, sans)
            assertContains(f.sans, "IP:${h.ipv4}")
        }
        tls(h.inet6, "TLSv1.2", listOf("http/1.1")).use { s ->
            assertEquals("TLSv1.2", s.session.protocol)
            assertEquals(f.tls12CiphersIana.first(), s.session.cipherSuite) // server preference
            assertEquals("http/1.1", s.applicationProtocol)
        }
        for (c in f.tls12CiphersIana) {
            tls(h.inet4, "TLSv1.2", listOf("h2"), listOf(c)).use { assertEquals(c, it.session.cipherSuite) }
        }
        assertThrows<SSLHandshakeException> {
            tls(h.inet4, "TLSv1.2", listOf("h2"), listOf("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256")).close()
        }
        assertEquals(listOf("TLSv1.2", "TLSv1.3"), f.protocols)
        assertEquals(listOf("h2", "http/1.1"), f.alpn)
    }

    // ------------------------------------------------------------------ SSH, FTP, SMTP

    @Test
    fun `sshd sends its banner and offers the three fixture host key types`(lab: Lab) {
        val f = lab.facts(1).ssh
        connect(lab.host(1).inet4, 22).use { s ->
            val input = DataInputStream(s.getInputStream())
            assertEquals(f.banner, input.line())
            assertTrue(f.banner.startsWith("SSH-2.0-OpenSSH_${f.version} "), f.banner)
            s.getOutputStream().write("SSH-2.0-kmaptest\r\n".toByteArray())
            val len = input.readInt()
            val packet = ByteArray(len).also { input.readFully(it) }
            val b = ByteBuffer.wrap(packet, 1, len - 1)
            assertEquals(20, b.get().toInt()) // SSH_MSG_KEXINIT
            b.position(b.position() + 16) // cookie
            fun nameList() = String(ByteArray(b.int).also { b.get(it) }).split(',')
            nameList() // kex algorithms
            val hostKeyAlgorithms = nameList()
            for (k in f.hostKeys.values) {
                val alg = if (k.keyType == "ssh-rsa") "rsa-sha2-512" else k.keyType
                assertContains(hostKeyAlgorithms, alg)
            }
        }
        val keys = f.hostKeys
        assertEquals(listOf("ed25519", "ecdsa", "rsa"), keys.keys.toList())
        assertEquals(listOf(256, 256, 3072), keys.values.map { it.bits })
        for (k in keys.values) { // the fingerprint is the SHA-256 of the key blob
            val blob = Base64.getDecoder().decode(k.publicKey)
            val fp = "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob))
            assertEquals(fp, k.sha256)
        }
        assertEquals(listOf("publickey", "password"), f.authMethods)
    }

    /** Runs a command (OpenSSH's own client tools here), bounded to 20 s; returns exit status and output. */
    private fun run(vararg cmd: String): Pair<Int, String> {
        val p = ProcessBuilder(*cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(java.io.File("/dev/null"))).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) { "timed out: ${cmd.toList()}" }
        return p.exitValue() to out
    }

    @Test
    fun `ssh-keyscan sees the fixture host keys and ssh is offered publickey and password`(lab: Lab) {
        val f = lab.facts(1).ssh
        val ip = lab.host(1).ipv4
        val (_, scan) = run("ssh-keyscan", "-T", "5", "-t", "ed25519,ecdsa,rsa", ip)
        val seen = scan.lines().filter { it.startsWith("$ip ") }.map { it.split(' ').let { p -> p[1] to p[2] } }.toSet()
        assertEquals(f.hostKeys.values.map { it.keyType to it.publicKey }.toSet(), seen)
        val (status, out) = run(
            "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "PreferredAuthentications=none", "-o", "ConnectTimeout=5",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "kmap@$ip", "true",
        )
        assertEquals(255, status, out)
        assertContains(out, "Permission denied (${f.authMethods.joinToString(",")}).")
    }

    @Test
    fun `vsftpd logs in anonymous users`(lab: Lab) {
        val f = lab.facts(1).ftp
        for (a in listOf(lab.host(1).inet4, lab.host(1).inet6)) {
            connect(a, 21).use { s ->
                val input = s.getInputStream()
                assertEquals(f.banner, input.line())
                s.getOutputStream().write("USER anonymous\r\n".toByteArray())
                assertTrue(input.line().startsWith("230 "))
                s.getOutputStream().write("PWD\r\n".toByteArray())
                assertEquals("257 \"/\" is the current directory", input.line())
                s.getOutputStream().write("QUIT\r\n".toByteArray())
                assertTrue(input.line().startsWith("221"))
            }
        }
        assertTrue(f.anonymous)
    }

    @Test
    fun `exim greets and lists its ESMTP extensions`(lab: Lab) {
        val f = lab.facts(1).smtp
        connect(lab.host(1).inet4, 25).use { s ->
            val input = s.getInputStream()
            assertEquals(f.banner, input.line())
            s.getOutputStream().write("EHLO kmap-test\r\n".toByteArray())
            val lines = generateSequence { input.line() }.takeWhileInclusive { it.startsWith("250-") }.toList()
            assertEquals("250-${f.hostname} Hello kmap-test [${lab.scannerIpv4}]", lines[0])
            assertEquals(f.extensions, lines.drop(1).map { it.substring(4) })
            assertContains(f.extensions, "PIPELINING")
            s.getOutputStream().write("QUIT\r\n".toByteArray())
            assertTrue(input.line().startsWith("221 "))
        }
    }

    private fun <T> Sequence<T>.takeWhileInclusive(p: (T) -> Boolean): Sequence<T> = sequence {
        for (x in this@takeWhileInclusive) {
            yield(x)
            if (!p(x)) break
        }
    }

    // ------------------------------------------------------------------ databases and caches

    @Test
    fun `redis answers INFO with its version`(lab: Lab) {
        val f = lab.facts(1).redis
        connect(lab.host(1).inet6, 6379).use { s ->
            val input = s.getInputStream()
            s.getOutputStream().write("INFO server\r\n".toByteArray())
            val header = input.line()
            assertTrue(header.startsWith("$"), header)
            val body = String(ByteArray(header.substring(1).toInt()).also { DataInputStream(input).readFully(it) })
            assertContains(body.lines().map { it.trim() }, "redis_version:${f.version}")
        }
    }

    @Test
    fun `mariadb sends a handshake with its version`(lab: Lab) {
        val f = lab.facts(1).mariadb
        connect(lab.host(1).inet4, 3306).use { s ->
            val input = DataInputStream(s.getInputStream())
            val h = ByteArray(4).also { input.readFully(it) }
            val len = (h[0].toInt() and 0xff) or ((h[1].toInt() and 0xff) shl 8) or ((h[2].toInt() and 0xff) shl 16)
            val payload = ByteArray(len).also { input.readFully(it) }
            assertEquals(10, payload[0].toInt()) // protocol version
            val version = String(payload, 1, payload.indexOf(0, 1) - 1)
            assertEquals("5.5.5-${f.version}", version) // MariaDB 10 prefixes 5.5.5- for old clients
        }
    }

    private fun ByteArray.indexOf(b: Byte, from: Int): Int = (from until size).first { this[it] == b }

    private class PgConn(val s: Socket) {
        val input = DataInputStream(s.getInputStream())
        val output = DataOutputStream(s.getOutputStream())
        fun send(type: Char, body: ByteArray) {
            output.writeByte(type.code); output.writeInt(body.size + 4); output.write(body); output.flush()
        }
        fun receive(): Pair<Char, ByteArray> {
            val t = input.readUnsignedByte().toChar()
            return t to ByteArray(input.readInt() - 4).also { input.readFully(it) }
        }
    }

    private fun hmac(key: ByteArray, msg: ByteArray) = Mac.getInstance("HmacSHA256").run { init(SecretKeySpec(key, "HmacSHA256")); doFinal(msg) }

    /** Startup + SCRAM-SHA-256 login; returns the ParameterStatus values, or the error fields. */
    private fun pgLogin(address: InetAddress, user: String, password: String): Map<String, String> = connect(address, 5432).use { s ->
        val c = PgConn(s)
        c.output.writeInt(8); c.output.writeInt(80877103); c.output.flush() // SSLRequest
        assertEquals('N'.code, c.input.readUnsignedByte()) // ssl=off: go on in plain text
        val startup = "user\u0000$user\u0000database\u0000postgres\u0000\u0000".toByteArray()
        c.output.writeInt(startup.size + 8); c.output.writeInt(196608); c.output.write(startup); c.output.flush()
        var (t, body) = c.receive()
        assertEquals('R', t)
        assertEquals(10, ByteBuffer.wrap(body).int) // AuthenticationSASL
        assertEquals(listOf("SCRAM-SHA-256"), String(body, 4, body.size - 4).split('\u0000').filter { it.isNotEmpty() })
        val nonce = Base64.getEncoder().encodeToString(ByteArray(18).also { SecureRandom().nextBytes(it) })
        val firstBare = "n=,r=$nonce"
        val first = "n,,$firstBare".toByteArray()
        c.send('p', "SCRAM-SHA-256\u0000".toByteArray() + ByteBuffer.allocate(4).putInt(first.size).array() + first)
        c.receive().let { (t2, b2) -> t = t2; body = b2 }
        assertEquals('R', t)
        assertEquals(11, ByteBuffer.wrap(body).int) // SASLContinue
        val serverFirst = String(body, 4, body.size - 4)
        val attrs = serverFirst.split(',').associate { it.substringBefore('=') to it.substringAfter('=') }
        val salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
            .generateSecret(PBEKeySpec(password.toCharArray(), Base64.getDecoder().decode(attrs["s"]), attrs["i"]!!.toInt(), 256)).encoded
        val clientKey = hmac(salted, "Client Key".toByteArray())
        val storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey)
        val finalNoProof = "c=biws,r=${attrs["r"]}"
        val signature = hmac(storedKey, "$firstBare,$serverFirst,$finalNoProof".toByteArray())
        val proof = ByteArray(clientKey.size) { (clientKey[it].toInt() xor signature[it].toInt()).toByte() }
        c.send('p', "$finalNoProof,p=${Base64.getEncoder().encodeToString(proof)}".toByteArray())
        val params = mutableMapOf<String, String>()
        while (true) {
            val (type, b) = c.receive()
            when (type) {
                'E' -> return String(b).split('\u0000').filter { it.isNotEmpty() }.associate { it.take(1) to it.drop(1) }
                'S' -> String(b).split('\u0000').let { params[it[0]] = it[1] }
                'Z' -> break
            }
        }
        params
    }

    @Test
    fun `postgresql wants SCRAM-SHA-256 and logs in with the fixture password`(lab: Lab) {
        val f = lab.facts(1).postgresql
        val params = pgLogin(lab.host(1).inet4, f.user, f.password)
        assertEquals(f.serverVersion, params["server_version"])
        assertTrue(f.serverVersion.startsWith(f.version + " "), f.serverVersion)
        val refused = pgLogin(lab.host(1).inet6, f.user, "wrong")
        assertEquals("28P01", refused["C"]) // invalid_password
        assertEquals("SCRAM-SHA-256", f.auth)
    }

    @Test
    fun `memcached answers version`(lab: Lab) {
        val f = lab.facts(1).memcached
        for (a in listOf(lab.host(1).inet4, lab.host(1).inet6)) {
            connect(a, 11211).use { s ->
                s.getOutputStream().write("version\r\n".toByteArray())
                assertEquals("VERSION ${f.version}", s.getInputStream().line())
            }
        }
    }

    // ------------------------------------------------------------------ UDP: DNS, NTP, SNMP

    private fun udp(address: InetAddress, port: Int, request: ByteArray): ByteArray = DatagramSocket().use { s ->
        s.soTimeout = 3000
        s.connect(InetSocketAddress(address, port))
        s.send(DatagramPacket(request, request.size))
        val buf = ByteArray(4096)
        val p = DatagramPacket(buf, buf.size)
        s.receive(p)
        buf.copyOf(p.length)
    }

    private fun dnsQuery(name: String, type: Int, klass: Int = 1, rd: Boolean = false, nsid: Boolean = false): ByteArray {
        val b = ByteBuffer.allocate(512)
        b.putShort(0x4b4d).putShort(if (rd) 0x0100 else 0).putShort(1).putShort(0).putShort(0).putShort(if (nsid) 1 else 0)
        for (label in name.split('.')) { b.put(label.length.toByte()); b.put(label.toByteArray()) }
        b.put(0).putShort(type.toShort()).putShort(klass.toShort())
        if (nsid) b.put(0).putShort(41).putShort(1232).putInt(0).putShort(4).putShort(3).putShort(0) // OPT with NSID
        return b.array().copyOf(b.position())
    }

    private class DnsRecord(val type: Int, val data: ByteArray)
    private class DnsReply(val flags: Int, val answers: List<DnsRecord>, val additional: List<DnsRecord>) {
        val rcode get() = flags and 0xf
        val aa get() = flags and 0x0400 != 0
        val ra get() = flags and 0x0080 != 0
    }

    private fun dnsParse(m: ByteArray): DnsReply {
        val b = ByteBuffer.wrap(m)
        assertEquals(0x4b4d, b.short.toInt() and 0xffff)
        val flags = b.short.toInt() and 0xffff
        val qd = b.short.toInt(); val an = b.short.toInt(); val ns = b.short.toInt(); val ar = b.short.toInt()
        fun skipName() {
            while (true) {
                val l = b.get().toInt() and 0xff
                if (l == 0) return
                if (l >= 0xc0) { b.get(); return }
                b.position(b.position() + l)
            }
        }
        fun record(): DnsRecord {
            skipName()
            val type = b.short.toInt() and 0xffff
            b.short; b.int
            return DnsRecord(type, ByteArray(b.short.toInt() and 0xffff).also { b.get(it) })
        }
        repeat(qd) { skipName(); b.int }
        val answers = List(an) { record() }
        repeat(ns) { record() }
        return DnsReply(flags, answers, List(ar) { record() })
    }

    @Test
    fun `nsd answers for its zone with the NSID and refuses recursion`(lab: Lab) {
        val f = lab.facts(1).dns
        val h = lab.host(1)
        for (a in listOf(h.inet4, h.inet6)) {
            val r = dnsParse(udp(a, 53, dnsQuery("www.${f.zone}", 1, nsid = true)))
            assertEquals(0, r.rcode)
            assertTrue(r.aa)
            assertEquals(listOf(f.wwwAddress), r.answers.filter { it.type == 1 }.map { InetAddress.getByAddress(it.data).hostAddress })
            val opt = ByteBuffer.wrap(r.additional.single { it.type == 41 }.data)
            assertEquals(3, opt.short.toInt())
            assertEquals(f.nsid, String(ByteArray(opt.short.toInt()).also { opt.get(it) }))
        }
        val recursive = dnsParse(udp(h.inet4, 53, dnsQuery("example.com", 1, rd = true)))
        assertEquals(5, recursive.rcode) // REFUSED
        assertEquals(f.recursion, recursive.ra)
        connect(h.inet4, 53).use { s -> // version.bind CH TXT over TCP
            val q = dnsQuery("version.bind", 16, klass = 3)
            DataOutputStream(s.getOutputStream()).apply { writeShort(q.size); write(q); flush() }
            val input = DataInputStream(s.getInputStream())
            val r = dnsParse(ByteArray(input.readUnsignedShort()).also { input.readFully(it) })
            val txt = r.answers.single { it.type == 16 }.data
            assertEquals(f.versionBind, String(txt, 1, txt[0].toInt()))
        }
    }

    @Test
    fun `chrony answers a mode 3 request with a mode 4 reply at its stratum`(lab: Lab) {
        val f = lab.facts(1).ntp
        val request = ByteArray(48).also { it[0] = 0x23 } // LI 0, version 4, mode 3
        val r = udp(lab.host(1).inet4, 123, request)
        assertEquals(48, r.size)
        assertEquals(4, r[0].toInt() and 7) // mode 4: server
        assertEquals(4, (r[0].toInt() shr 3) and 7)
        assertTrue((r[0].toInt() shr 6) and 3 != 3, "leap indicator says unsynchronised")
        assertEquals(f.stratum, r[1].toInt())
        assertEquals(f.refidHex, hex(r.copyOfRange(12, 16)))
        val transmit = (ByteBuffer.wrap(r, 40, 4).int.toLong() and 0xffffffffL) - 2_208_988_800L
        assertTrue(abs(transmit - System.currentTimeMillis() / 1000) < 10, "transmit time $transmit")
    }

    private fun ber(tag: Int, content: ByteArray): ByteArray {
        val len = content.size
        val l = if (len < 128) byteArrayOf(len.toByte()) else byteArrayOf(0x82.toByte(), (len shr 8).toByte(), len.toByte())
        return byteArrayOf(tag.toByte()) + l + content
    }

    private class Tlv(val tag: Int, val content: ByteArray) {
        fun children(): List<Tlv> {
            val out = mutableListOf<Tlv>()
            var i = 0
            while (i < content.size) {
                val tag = content[i++].toInt() and 0xff
                var len = content[i++].toInt() and 0xff
                if (len >= 0x80) {
                    val n = len and 0x7f
                    len = 0
                    repeat(n) { len = (len shl 8) or (content[i++].toInt() and 0xff) }
                }
                out += Tlv(tag, content.copyOfRange(i, i + len))
                i += len
            }
            return out
        }
    }

    private fun snmpGet(address: InetAddress, community: String, oid: IntArray): String {
        val oidBytes = byteArrayOf((oid[0] * 40 + oid[1]).toByte()) + oid.drop(2).map { it.toByte() }.toByteArray() // arcs < 128
        val varbind = ber(0x30, ber(0x06, oidBytes) + ber(0x05, ByteArray(0)))
        val pdu = ber(0xa0, ber(0x02, byteArrayOf(0x2a)) + ber(0x02, byteArrayOf(0)) + ber(0x02, byteArrayOf(0)) + ber(0x30, varbind))
        val msg = ber(0x30, ber(0x02, byteArrayOf(1)) + ber(0x04, community.toByteArray()) + pdu) // version 1 = v2c
        val reply = Tlv(0x30, Tlv(0, udp(address, 161, msg)).children().single().content).children()
        assertEquals(community, String(reply[1].content))
        val response = reply[2]
        assertEquals(0xa2, response.tag)
        val fields = response.children()
        assertEquals(0x2a, fields[0].content.single().toInt())
        assertEquals(0, fields[1].content.single().toInt()) // error-status noError
        val value = fields[3].children().single().children()[1]
        assertEquals(0x04, value.tag)
        return String(value.content)
    }

    @Test
    fun `snmpd answers a v2c get of sysDescr and sysName`(lab: Lab) {
        val f = lab.facts(1).snmp
        assertEquals(f.sysDescr, snmpGet(lab.host(1).inet4, f.community, intArrayOf(1, 3, 6, 1, 2, 1, 1, 1, 0)))
        assertEquals(f.sysName, snmpGet(lab.host(1).inet6, f.community, intArrayOf(1, 3, 6, 1, 2, 1, 1, 5, 0)))
        assertEquals("kmap lab snmpd", f.sysDescr)
    }

    // ------------------------------------------------------------------ VNC

    @Test
    fun `Xvnc greets with RFB 3_8, offers security None and names its desktop`(lab: Lab) {
        val f = lab.facts(1).vnc
        connect(lab.host(1).inet4, 5900).use { s ->
            val input = DataInputStream(s.getInputStream())
            val out = s.getOutputStream()
            val greeting = ByteArray(12).also { input.readFully(it) }
            assertEquals(f.protocol + "\n", String(greeting))
            out.write(greeting)
            val types = ByteArray(input.readUnsignedByte()).also { input.readFully(it) }
            assertEquals(listOf(1), types.map { it.toInt() }) // None
            assertEquals(listOf("None"), f.securityTypes)
            out.write(1)
            assertEquals(0, input.readInt()) // SecurityResult OK
            out.write(1) // ClientInit: shared
            assertEquals(800, input.readUnsignedShort())
            assertEquals(600, input.readUnsignedShort())
            input.skipNBytes(16) // pixel format
            assertEquals(f.desktop, String(ByteArray(input.readInt()).also { input.readFully(it) }))
        }
    }

    // ------------------------------------------------------------------ the fixture itself

    @Test
    fun `every daemon runs inside the lab host's namespace, none in the root namespace`(lab: Lab) {
        val dir = lab.servicesDir(1)
        val pids = java.nio.file.Files.list(dir).use { s -> s.filter { it.fileName.toString().endsWith(".pid") }.toList() }
            .associate { it.fileName.toString().removeSuffix(".pid") to it.toFile().readText().trim().toLong() }
        assertEquals(ServicesLab.ALL.map { it.scriptName }.toSet(), pids.keys)
        val root = java.nio.file.Files.readSymbolicLink(java.nio.file.Paths.get("/proc/self/ns/net"))
        val inLab = LabServicesLifecycleTest.netnsPids(lab.host(1).name)
        for ((name, pid) in pids) {
            assertTrue(LabServicesLifecycleTest.alive(pid), "$name ($pid) not running")
            assertTrue(java.nio.file.Files.readSymbolicLink(java.nio.file.Paths.get("/proc/$pid/ns/net")) != root, "$name in the root netns")
            assertContains(inLab, pid, name)
        }
        val facts = lab.facts(1)
        assertEquals(ServicesLab.ALL, facts.services)
        println("[kmap lab] services up in ${facts.startMillis} ms: " + facts.services.joinToString { "${it.scriptName} ${facts.startMillis(it)}" })
        assertEquals(ServicesLab.ALL.flatMap { it.tcpPorts }.toSortedSet() + 8080, lab.host(1).openTcpPorts)
    }
}
