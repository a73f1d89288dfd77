package dev.kmap.engine.service

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.Protocol
import dev.kmap.engine.service.internal.PcreTranslator
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The two probe file readers (on files this test writes), templates and matching on recorded replies. */
class ServiceDatabaseTest {
    @TempDir
    lateinit var dir: File

    private fun write(name: String, text: String) = File(dir, name).apply { writeText(text, Charsets.ISO_8859_1) }.path

    // ------------------------------------------------------------------ nmap's format
    private val nmapFile = """
        # a file in nmap-service-probes format
        Exclude T:9100-9102,U:30000-30001
        Probe TCP NULL q||
        totalwaitms 6000
        tcpwrappedms 3000
        match ssh m|^SSH-([\d.]+)-OpenSSH_([\w._-]+) Debian-(\S*maemo\S*)\r?\n| p/OpenSSH/ v/$2 Debian $3/ i/protocol $1/ o/Linux/ cpe:/a:openbsd:openssh:$2/ cpe:/o:linux:linux_kernel/a
        match ssh m=^SSH-([\d.]+)-OpenSSH_([\w._-]+)[ -]{1,2}Debian[ -_]([^\r\n]+)\r?\n= p/OpenSSH/ v/$2 Debian $3/ i/protocol $1/ cpe:/a:openbsd:openssh:$2/
        softmatch ftp m/^220[- ].*FTP/i
        match weird m|^W([\x00-\xff])(..)\0| p/Weird ${'$'}P(1)/ v/${'$'}I(2,">")/ i/${'$'}SUBST(1,"X","-")/ h/${'$'}I(2,"<")/
        match tabbed m|^T(.*)E\t$|s p/$1/ d/router/

        Probe TCP GetRequest q|GET / HTTP/1.0\r\n\r\n|
        rarity 1
        ports 80,8080-8081
        sslports 443
        fallback NULL
        match http m|^HTTP/1\.[01] \d\d\d .*\r\nServer: nginx/([\d.]+)|s p/nginx/ v/$1/ cpe:/a:igor_sysoev:nginx:$1/
        match http-proxy m|^HTTP/1\.[01] 407 | p/Acme Proxy Server/ cpe:/a:acme:proxy server/
        softmatch http m|^HTTP/1\.[01] \d\d\d|

        Probe UDP DNSStatusRequest q|\0\0\x10\0\0\0\0\0\0\0\0\0|
        rarity 1
        ports 53
        match domain m|^\0\0\x90\x04|
    """.trimIndent() + "\n"

    @Test
    fun `nmap's format is read whole`() {
        val db = ServiceDatabase.read(write("probes", nmapFile))
        assertEquals(listOf("NULL", "GetRequest", "DNSStatusRequest"), db.probes.map { it.name })
        val nul = db.probes[0]
        assertEquals(6000, nul.totalWaitMillis)
        assertEquals(3000, nul.tcpWrappedMillis)
        assertTrue(nul.isBanner)
        assertEquals("softmatch", if (nul.matches[2].soft) "softmatch" else "match")
        assertTrue(nul.matches[2].caseInsensitive)
        val get = db.probes[1]
        assertEquals("GET / HTTP/1.0\r\n\r\n", get.payload)
        assertEquals("80,8080-8081", get.ports.toString())
        assertEquals("443", get.sslPorts.toString())
        assertEquals(listOf("NULL"), get.fallback)
        assertEquals(Protocol.UDP, db.probes[2].protocol)
        assertEquals("\u0000\u0000\u0010" + "\u0000".repeat(9), db.probes[2].payload)
        assertEquals("9100-9102", db.excludedTcp.toString())
        assertEquals("30000-30001", db.excludedUdp.toString())
        assertTrue(db.skipped.isEmpty())
        assertTrue(nul.matches[0].source!!.endsWith("probes:6"))
    }

    @Test
    fun `templates, cpe escaping and fallbacks on recorded replies`() {
        val db = ServiceDatabase.read(write("probes", nmapFile))
        val ssh = db.match("NULL", Protocol.TCP, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n".toByteArray())!!
        assertEquals("ssh", ssh.name)
        assertEquals("OpenSSH", ssh.product)
        assertEquals("9.2p1 Debian 2+deb12u10", ssh.version)
        assertEquals("protocol 2.0", ssh.extraInfo)
        assertEquals(listOf("cpe:/a:openbsd:openssh:9.2p1"), ssh.cpe)
        val weird = db.match("NULL", Protocol.TCP, byteArrayOf('W'.code.toByte(), 'X'.code.toByte(), 1, 2, 0))!!
        assertEquals("Weird X", weird.product)
        assertEquals("258", weird.version) // ${'$'}I(2,">") of 01 02
        assertEquals("513", weird.hostname) // ${'$'}I(2,"<")
        assertEquals("-", weird.extraInfo) // ${'$'}SUBST(1,"X","-")
        val printable = db.match("NULL", Protocol.TCP, "Tab\u0001c\nE\t".toByteArray(Charsets.ISO_8859_1))!!
        assertEquals("ab\u0001c\n", "ab\u0001c\n") // the raw group; $1 keeps it
        assertEquals("router", printable.deviceType)
        // fallback: a banner seen in GetRequest's reply is matched by NULL's rules
        assertEquals("OpenSSH", db.match("GetRequest", Protocol.TCP, "SSH-2.0-OpenSSH_8.4p1 Debian-5\r\n".toByteArray())?.product)
        val nginx = db.match("GetRequest", Protocol.TCP, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\n".toByteArray())!!
        assertEquals("1.22.1", nginx.version)
        assertEquals(listOf("cpe:/a:igor_sysoev:nginx:1.22.1"), nginx.cpe)
        assertEquals("http", db.match("GetRequest", Protocol.TCP, "HTTP/1.1 404 Not Found\r\n".toByteArray())?.name)
        assertNull(db.match("GetRequest", Protocol.TCP, "nothing known".toByteArray()))
        assertEquals("domain", db.match("DNSStatusRequest", Protocol.UDP, byteArrayOf(0, 0, 0x90.toByte(), 4))?.name)
    }

    @Test
    fun `nmap format errors name file and line`() {
        fun err(text: String) = assertFailsWith<InvalidSpecException> { ServiceDatabase.read(write("bad", text)) }.message!!
        val f = File(dir, "bad").path
        assertEquals("$f:2: unknown directive \"Probes\" (expected Exclude, Probe, match, softmatch, ports, sslports, totalwaitms, tcpwrappedms, rarity or fallback)",
            err("Probe TCP NULL q||\nProbes x\n"))
        assertEquals("$f:2: rarity \"12\" is out of range (expected 1..9)", err("Probe TCP NULL q||\nrarity 12\n"))
        assertEquals("$f:2: ssh: the pattern has no closing |", err("Probe TCP NULL q||\nmatch ssh m|^SSH\n"))
        assertEquals("$f:2: match ssh: template uses group 2 but the pattern has 1 group", err("Probe TCP NULL q||\nmatch ssh m|^SSH-(\\d)| v/$2/\n"))
        assertEquals("$f:1: Probe NULL: unknown escape \\q (expected \\\\ \\0 \\a \\b \\f \\n \\r \\t \\v \\\" \\xHH)", err("Probe TCP NULL q|\\q|\n"))
        assertEquals("$f:1: probe GetRequest falls back to unknown probe \"Nope\"", err("Probe TCP GetRequest q|x|\nfallback Nope\n"))
        assertEquals("$f:2: \"match\" before the first Probe line", err("Exclude 1\nmatch x m|y|\n"))
    }

    // ------------------------------------------------------------------ kmap's format
    @Test
    fun `kmap's format reads and errors name file and line`() {
        val text = """
            probe Acme tcp
              send "HELLO\r\n\x00"
              ports 9000-9001
              rarity 3
              wait 1500
              match acme /^ACME (\d+\.\d+) on (\S+)|x/i
                product "Acme server"
                version $1
                hostname $2
                cpe cpe:/a:acme:server:$1
              softmatch acme /^ACME/
        """.trimIndent()
        val db = ServiceDatabase.read(write("acme.probes", text))
        val p = db.probes.single()
        assertEquals("HELLO\r\n\u0000", p.payload)
        assertEquals(3, p.rarity)
        assertEquals(1500, p.totalWaitMillis)
        assertEquals("^ACME (\\d+\\.\\d+) on (\\S+)|x", p.matches[0].pattern) // the pattern ends at the last delimiter
        val hit = db.match("Acme", Protocol.TCP, "acme 2.5 on box1\n".toByteArray())!!
        assertEquals(listOf("acme", "Acme server", "2.5", "box1"), listOf(hit.name, hit.product, hit.version, hit.hostname))
        assertEquals(listOf("cpe:/a:acme:server:2.5"), hit.cpe)

        fun err(t: String) = assertFailsWith<InvalidSpecException> { ServiceDatabase.read(write("e.probes", t)) }.message!!
        val f = File(dir, "e.probes").path
        assertEquals("$f:1: \"send\" outside a probe (expected a \"probe NAME tcp|udp\" line first)", err("send \"x\""))
        assertEquals("$f:2: unknown protocol \"sctp\" (expected tcp or udp)", err("# c\nprobe X sctp"))
        assertEquals("$f:2: \"version\" outside a match (expected a \"match SERVICE /pattern/\" line first)", err("probe X tcp\nversion 1"))
        assertEquals("$f:2: match x: unknown flags \"q\" after the pattern (expected i and/or s, nothing else on the line)", err("probe X tcp\nmatch x /a/q"))
        assertTrue(err("probe X tcp\nmatch x /a(/").startsWith("$f:2: match x: bad pattern: "))
        assertEquals("$f:4: product given twice for one match", err("probe X tcp\nmatch x /a/\nproduct A\nproduct B"))
        assertEquals("$f:2: rarity \"0\" is out of range (expected a number 1..9)", err("probe X tcp\nrarity 0"))
        assertEquals("$f:2: probe X tcp is defined twice", err("probe X tcp\nprobe X tcp"))
        assertEquals("$f: no probes (expected probe NAME tcp|udp lines)", err("# nothing\n"))
        assertEquals("cannot read service database \"${File(dir, "none").path}\": no such file",
            assertFailsWith<InvalidSpecException> { ServiceDatabase.read(File(dir, "none").path) }.message)
    }

    // ------------------------------------------------------------------ the shipped database on replies recorded from the lab's daemons
    @Test
    fun `the shipped database names the lab's daemons from their recorded replies`() {
        val db = ServiceDatabase.builtIn()
        fun check(probe: String, reply: String, name: String, product: String?, version: String?, protocol: Protocol = Protocol.TCP) {
            val hit = db.match(probe, protocol, reply.toByteArray(Charsets.ISO_8859_1))
            assertEquals(listOf(name, product, version), listOf(hit?.name, hit?.product, hit?.version), "$probe: ${reply.take(40)}")
        }
        check("NULL", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n", "ssh", "OpenSSH", "9.2p1")
        check("NULL", "220 (vsFTPd 3.0.3)\r\n", "ftp", "vsftpd", "3.0.3")
        check("NULL", "220 mail.kmap.lab ESMTP Exim 4.96\r\n", "smtp", "Exim smtpd", "4.96")
        check("NULL", "d\u0000\u0000\u0000\n5.5.5-10.11.19-MariaDB-0+deb12u1\u0000\u0004\u0000\u0000\u0000KUIN++4d\u0000\u00fe\u00f7", "mysql", "MariaDB", "10.11.19")
        check("GetRequest", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 04 Dec 2026 06:06:25 GMT\r\n\r\n", "http", "nginx", "1.22.1")
        check("GetRequest", "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\n\r\n<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>", "ssl", "nginx", null)
        check("GetRequest", "-ERR wrong number of arguments for 'get' command\r\n", "redis", "Redis key-value store", null)
        check("RedisInfo", "\$4928\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nos:Linux 6.1 x86_64\r\n", "redis", "Redis key-value store", "7.0.15")
        check("PostgresStartup", "R\u0000\u0000\u0000\u0017\u0000\u0000\u0000\nSCRAM-SHA-256\u0000\u0000", "postgresql", "PostgreSQL DB", null)
        check("PostgresStartup", "R\u0000\u0000\u0000\u0008\u0000\u0000\u0000\u0000S\u0000\u0000\u0000\u0028server_version\u000015.18 (Debian 15.18-0+deb12u1)\u0000Z", "postgresql", "PostgreSQL DB", "15.18")
        check("PostgresStartup", "E\u0000\u0000\u0000\u0083SFATAL\u0000VFATAL\u0000C0A000\u0000Munsupported frontend protocol 4.0: server supports 3.0 to 3.0\u0000Fpostmaster.c\u0000L2222\u0000RProcessStartupPacket\u0000\u0000", "postgresql", "PostgreSQL DB", null)
        check("MemcachedVersion", "VERSION 1.6.18\r\n", "memcached", "Memcached", "1.6.18")
        check("MqttConnect", " \u0002\u0000\u0000\u0090\u0003\u0000\u0001\u00001-\u0000\u0013\$SYS/broker/versionmosquitto version 2.0.11", "mqtt", "Mosquitto", "2.0.11")
        // the CONNACK alone (the $SYS publish not read yet, or a broker without it): MQTT, no product
        check("MqttConnect", " \u0002\u0000\u0000", "mqtt", null, null)
        check("DNSVersionBindReqTCP", "\u00007KM\u0085\u0080\u0000\u0001\u0000\u0001\u0000\u0000\u0000\u0000\u0007version\u0004bind\u0000\u0000\u0010\u0000\u0003\u00c0\u000c\u0000\u0010\u0000\u0003\u0000\u0000\u0000\u0000\u0000\r\u000cdnsmasq-2.90", "domain", "dnsmasq", "2.90")
        check("DNSVersionBindReq", "KM\u0081\u0000\u0000\u0001\u0000\u0001\u0000\u0000\u0000\u0000\u0007version\u0004bind\u0000\u0000\u0010\u0000\u0003\u00c0\u000c\u0000\u0010\u0000\u0003\u0000\u0000\u0000\u0000\u0000\n\tNSD 4.6.1", "domain", "NLnet Labs NSD", "4.6.1", Protocol.UDP)
        check("SNMPv2cGet", "0b\u0002\u0001\u0001\u0004\u0006public\u00a2U\u0002\u0002KM\u0002\u0001\u0000\u0002\u0001\u00000I0\u001a\u0006\u0008+\u0006\u0001\u0002\u0001\u0001\u0001\u0000\u0004\u000ekmap lab snmpd0\u0016\u0006\u0008+\u0006\u0001\u0002\u0001\u0001\u0002\u0000\u0006\n+\u0006\u0001\u0004\u0001\u00bf\u0008\u0003\u0002\n0\u0013\u0006\n+\u0006\u0001\u0004\u0001\u008fed\u0002\u0000\u0004\u00055.9.3", "snmp", "net-snmp", "5.9.3", Protocol.UDP)
        check("TLSSessionReq", "\u0016\u0003\u0003\u0000b\u0002\u0000\u0000^\u0003\u0003", "ssl", null, null)
        check("NULL", "RFB 003.008\n", "vnc", "VNC", null)
    }

    @Test
    fun `PCRE constructs are translated to java regex`() {
        fun t(p: String) = PcreTranslator.translate(p)
        assertEquals("\\x00\\x01", t("\\0\\01"))
        assertEquals("\\x0a\\x00", t("\\xa\\x"))
        assertEquals("[\\[a-z\\]]", t("[[a-z\\]]"))
        assertEquals("[\\]x]", t("[]x]"))
        assertEquals("[\\p{Alpha}\\&\\&x]", t("[[:alpha:]&&x]"))
        assertEquals("a\\{,3\\}", t("a{,3\\}"))
        assertEquals("a{2,3}", t("a{2,3}"))
        assertEquals("ab", t("a(?#comment)b"))
        assertEquals("(?<name>x)\\k<name>", t("(?P<name>x)(?P=name)"))
        assertEquals("[\\x08]", t("[\\b]"))
        assertEquals("iy", t("\\i\\y"))
        assertFailsWith<PcreTranslator.Unsupported> { t("(?R)") }
        assertFailsWith<PcreTranslator.Unsupported> { t("(?(1)a|b)") }
        // '.' and '$' know only \n as a line end (UNIX_LINES), as in PCRE
        assertTrue(PcreTranslator.compile("^a.b$", false, false).matcher("a\u0085b").matches())
        assertTrue(PcreTranslator.compile("^ab$", false, false).matcher("ab\n").find())
    }
}
