package dev.kmap.cli

import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** `--script` from the command line against a lab host: script output in normal, XML (nmap DTD) and JSON output. */
@RequiresLab(config = ScriptsCliLabTest.Config::class)
class ScriptsCliLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmt", hosts = 1, net4 = "10.217.0", net6 = "fd10:217::", anyIpPrefix = null,
            ports = HostPorts(tcp = setOf(21, 22), udp = emptySet(), filteredTcp = emptySet(), filteredUdp = emptySet()),
        ).withSystemOverrides()
    }

    @TempDir lateinit var tmp: File

    private fun assertRoutesViaLab(lab: Lab, address: String) {
        val p = ProcessBuilder("ip", "-o", "route", "get", address).redirectErrorStream(true).start()
        val route = p.inputStream.bufferedReader().readText()
        p.waitFor(10, TimeUnit.SECONDS)
        check(Regex("""\bdev ${Regex.escape(lab.bridge)}\b""").containsMatchIn(route)) { "$address does not route via ${lab.bridge}: $route" }
    }

    @Test
    fun `banner and a script file with structure, in every format`(lab: Lab) {
        val h = lab.host(1)
        assertRoutesViaLab(lab, h.ipv4)
        val mine = File(tmp, "ports-seen.scan.kts").apply {
            writeText(
                """
                description = "lists the open ports of the host"
                hostRule { openPorts.isNotEmpty() }
                action { result("open: " + services.keys.joinToString(",")) { table("ports") { services.forEach { (p, s) -> table(null) { put("port", p); put("service", s) } } } } }
                """.trimIndent() + "\n",
            )
        }
        val xml = File(tmp, "out.xml")
        val json = File(tmp, "out.json")
        val r = test(listOf("-sT", "-Pn", "-n", "-p", "21,22,23", "--script", "banner,${mine.path}", "--script-args", "banner.timeout=2", "-oX", xml.path, "-oJ", json.path, h.ipv4))
        assertEquals(0, r.code, r.err)
        val normal = r.out.lines()
        val at = normal.indexOfFirst { it.startsWith("PORT") }
        assertEquals(
            listOf(
                "PORT   STATE  SERVICE",
                "21/tcp open   ftp",
                "|_banner: lab ${h.ipv4} 21",
                "22/tcp open   ssh",
                "|_banner: lab ${h.ipv4} 22",
                "23/tcp closed telnet",
                "",
                "Host script results:",
                "|_ports-seen: open: 21,22",
            ),
            normal.subList(at, at + 9),
        )
        val text = xml.readText()
        assertValidNmapXml(text)
        assertTrue(
            "<port protocol=\"tcp\" portid=\"21\"><state state=\"open\" reason=\"syn-ack\" reason_ttl=\"0\"/><service name=\"ftp\" method=\"table\" conf=\"3\"/>" +
                "<script id=\"banner\" output=\"lab ${h.ipv4} 21\"><elem key=\"banner\">lab ${h.ipv4} 21</elem></script></port>" in text,
            text,
        )
        assertTrue(
            "<hostscript><script id=\"ports-seen\" output=\"open: 21,22\"><table key=\"ports\"><table><elem key=\"port\">21</elem><elem key=\"service\">ftp</elem></table>" +
                "<table><elem key=\"port\">22</elem><elem key=\"service\">ssh</elem></table></table></script></hostscript>" in text,
            text,
        )
        assertTrue("\"hostScripts\":[{\"id\":\"ports-seen\",\"output\":\"open: 21,22\"" in json.readText())
    }
}
