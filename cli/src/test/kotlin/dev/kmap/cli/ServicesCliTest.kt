package dev.kmap.cli

import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** -sV and friends from the command line, against a banner on loopback; `kmap service-db test`. */
class ServicesCliTest {
    private val server = ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))
    private val port = server.localPort
    private val dir = kotlin.io.path.createTempDirectory("kmap-sv").toFile()

    init {
        Thread {
            while (!server.isClosed) {
                val c = runCatching { server.accept() }.getOrNull() ?: break
                runCatching { c.use { it.getOutputStream().write("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n".toByteArray()) } }
            }
        }.apply { isDaemon = true }.start()
    }

    @AfterTest
    fun close() { server.close(); dir.deleteRecursively() }

    @Test
    fun `-sV fills the VERSION column, XML service and cpe, grepable and JSON`() {
        val xml = File(dir, "s.xml"); val gnmap = File(dir, "s.gnmap"); val json = File(dir, "s.json")
        val r = test("-sT -sV -Pn -n -p $port 127.0.0.1 -oX ${xml.path} -oG ${gnmap.path} -oJ ${json.path}")
        assertEquals(0, r.code, r.err)
        val row = r.out.lines().single { it.startsWith("$port/tcp") }
        assertEquals("$port/tcp open ssh     OpenSSH 9.2p1 (Debian 2+deb12u10; protocol 2.0)".replace(Regex(" +"), " "), row.replace(Regex(" +"), " "))
        assertContains(r.out, "PORT ")
        assertContains(r.out, " VERSION\n")
        assertContains(r.out, "Service Info: OS: Linux; CPE: cpe:/o:linux:linux_kernel")
        assertContains(r.out, "Service detection performed.")
        val x = xml.readText()
        assertContains(x, "<service name=\"ssh\" product=\"OpenSSH\" version=\"9.2p1\" extrainfo=\"Debian 2+deb12u10; protocol 2.0\" ostype=\"Linux\" method=\"probed\" conf=\"10\"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service>")
        assertValidNmapXml(x)
        assertContains(gnmap.readText(), "$port/open/tcp//ssh//OpenSSH 9.2p1 (Debian 2+deb12u10; protocol 2.0)/")
        val j = json.readText()
        assertContains(j, "\"serviceInfo\":{\"name\":\"ssh\",\"product\":\"OpenSSH\",\"version\":\"9.2p1\"")
        assertContains(j, "\"probe\":\"NULL\"")
        assertContains(j, "\"waitedMillis\":")
    }

    @Test
    fun `--version-trace prints every exchange, -A names what it cannot do`() {
        val r = test("-sT --version-trace -Pn -n -p $port 127.0.0.1")
        assertEquals(0, r.code, r.err)
        // every probe in flight is traced; the banner reaches whichever connection reads first (a race), and one of them matches it
        val trace = r.errLines.filter { it.startsWith("kmap: service 127.0.0.1:$port/tcp: ") }
        assertTrue(trace.any { it.startsWith("kmap: service 127.0.0.1:$port/tcp: NULL sent 0 bytes") }, r.err)
        assertTrue(trace.any { "\"SSH-2.0-OpenSSH_9.2p1" in it && "match ssh OpenSSH 9.2p1" in it }, r.err)
        val a = test("-sT -A -Pn -n -p $port 127.0.0.1")
        assertEquals(0, a.code, a.err)
        assertContains(a.err, "kmap: warning: -A runs -sV and -sC here; its OS detection (-O) and traceroute (--traceroute) are not implemented yet")
        assertContains(a.out, "OpenSSH 9.2p1")
    }

    @Test
    fun `--service-db reads kmap and nmap files, a bad one is one line naming file and line`() {
        val kmap = File(dir, "my.probes").apply { writeText("probe NULL tcp\n  match ssh /^SSH-[\\d.]+-OpenSSH_([\\w.]+)/\n    product In-house SSH\n    version \$1\n") }
        val r = test("-sT --service-db ${kmap.path} -Pn -n -p $port 127.0.0.1")
        assertEquals(0, r.code, r.err)
        assertContains(r.out, "In-house SSH 9.2p1")
        val nmap = File(dir, "nmap-probes").apply { writeText("Probe TCP NULL q||\nmatch ssh m|^SSH-[\\d.]+-OpenSSH_([\\w.]+)| p/From nmap format/ v/\$1/\n") }
        assertContains(test("-sT -sV --service-db ${nmap.path} -Pn -n -p $port 127.0.0.1").out, "From nmap format 9.2p1")
        val bad = File(dir, "bad.probes").apply { writeText("probe NULL tcp\n  rarity 99\n") }
        val b = test("-sT -sV --service-db ${bad.path} -Pn -n -p $port 127.0.0.1")
        assertEquals(2, b.code)
        assertEquals("kmap: ${bad.path}:2: rarity \"99\" is out of range (expected a number 1..9)", b.errLines.first())
    }

    @Test
    fun `service-db test checks a definition against recorded replies`() {
        val db = File(dir, "acme.probes").apply {
            writeText("probe Acme tcp\n  send \"HELLO\\r\\n\"\n  ports 9000\n  match acme /^ACME (\\d+\\.\\d+)/\n    product Acme\n    version \$1\n")
        }
        val replies = File(dir, "replies").apply {
            writeText("# recorded\nAcme \"ACME 2.5 ready\\r\\n\" => acme | Acme | 2.5\nAcme tcp \"ACME 3.0\" => acme | Acme | 2.9\nAcme \"nope\"\n")
        }
        val r = test(listOf("service-db", "test", db.path, replies.path))
        assertEquals(3, r.code, r.out + r.err)
        val lines = r.out.lines()
        assertEquals("${db.path}: 1 probes, 1 rules", lines[0])
        assertEquals("${replies.path}:2: Acme: acme | Acme | 2.5 (${db.path}:4) ok", lines[1])
        assertEquals("${replies.path}:3: Acme: acme | Acme | 3.0 (${db.path}:4) FAILED (expected acme | Acme | 2.9)", lines[2])
        assertEquals("${replies.path}:4: Acme: no match", lines[3])
        assertEquals("2 checked, 1 as expected, 1 not", lines[4])
        val bad = test(listOf("service-db", "test", db.path, File(dir, "none").path))
        assertEquals(2, bad.code)
        assertEquals("kmap: cannot read replies file \"${File(dir, "none").path}\": no such file", bad.errLines.first())
    }
}
