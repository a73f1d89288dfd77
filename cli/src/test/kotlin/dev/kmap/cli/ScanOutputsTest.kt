package dev.kmap.cli

import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** End-to-end scans of loopback ports through the CLI: terminal report, every output file, stdout outputs, Ctrl-C. */
class ScanOutputsTest {
    @TempDir
    lateinit var tmp: File

    private fun path(name: String) = File(tmp, name).path

    @Test
    fun `the terminal report lists open and closed ports`() = LoopbackPorts().use { ports ->
        val r = test("-sT -Pn -n -p ${ports.open},${ports.closed} 127.0.0.1")
        assertEquals(Cli.EXIT_OK, r.code, r.err)
        assertEquals("", r.err)
        val lines = r.out.lines()
        assertTrue(lines[0].startsWith("Starting kmap ${Version.text} at "))
        assertEquals("kmap scan report for 127.0.0.1", lines[1])
        assertTrue(lines[2].matches(Regex("""Host is up \([0-9.]+s latency\)\.""")), lines[2])
        val rows = lines.filter { it.matches(Regex("""\d+/tcp .*""")) }.map { it.split(Regex(" +")).take(2) }.toSet()
        assertEquals(setOf(listOf("${ports.open}/tcp", "open"), listOf("${ports.closed}/tcp", "closed")), rows)
        assertTrue(lines.any { it.matches(Regex("""kmap done: 1 IP address \(1 host up\) scanned in [0-9.]+ seconds""")) })
    }

    @Test
    fun `-v prints open ports as they are found, --reason adds the column`() = LoopbackPorts().use { ports ->
        val r = test("-sT -Pn -n -v --reason -p ${ports.open},${ports.closed} 127.0.0.1")
        assertTrue("Discovered open port ${ports.open}/tcp on 127.0.0.1\n" in r.out, r.out)
        assertTrue(r.out.lines().any { it.startsWith("PORT") && it.endsWith("REASON") })
        assertTrue("Host is up, received user-set" in r.out)
    }

    @Test
    fun `every format to its file, -oA to three`() = LoopbackPorts().use { ports ->
        val base = path("all")
        val argv = listOf("-sT", "-Pn", "-n", "-p", "${ports.open},${ports.closed}",
            "-oX", path("a.xml"), "-oG", path("a.gnmap"), "-oN", path("a.nmap"), "-oJ", path("a.json"), "--ndjson", path("a.ndjson"),
            "--csv", path("a.csv"), "--sarif", path("a.sarif"), "--junit", path("a.junit.xml"), "--html", path("a.html"),
            "-oA", base, "127.0.0.1")
        val r = test(argv)
        assertEquals(Cli.EXIT_OK, r.code, r.err)
        assertTrue(r.out.startsWith("Starting kmap"), "files do not replace the terminal report")

        val xml = File(path("a.xml")).readText()
        assertValidNmapXml(xml)
        val doc = parseXml(xml)
        val portStates = (0 until doc.getElementsByTagName("port").length).map { i ->
            val e = doc.getElementsByTagName("port").item(i) as org.w3c.dom.Element
            e.getAttribute("portid").toInt() to (e.getElementsByTagName("state").item(0) as org.w3c.dom.Element).getAttribute("state")
        }.toSet()
        assertEquals(setOf(ports.open to "open", ports.closed to "closed"), portStates)
        assertTrue(doc.documentElement.getAttribute("args").startsWith("kmap -sT -Pn -n -p "))

        val grep = File(path("a.gnmap")).readLines()
        assertEquals("Host: 127.0.0.1 ()\tStatus: Up", grep[1])
        val expectedPorts = listOf(ports.open to "open", ports.closed to "closed").sortedBy { it.first }
            .joinToString(", ") { (p, s) -> "$p/$s/tcp//${dev.kmap.dsl.ServiceNames.name(dev.kmap.dsl.Protocol.TCP, p) ?: "unknown"}///" }
        assertEquals("Host: 127.0.0.1 ()\tPorts: $expectedPorts", grep[2])
        assertTrue(grep.last().startsWith("# kmap done at "))

        assertTrue(File(path("a.nmap")).readText().startsWith("# kmap ${Version.text} scan initiated "))
        val json = Json.parseToJsonElement(File(path("a.json")).readText()).jsonObject
        assertEquals(1, json["hosts"]!!.jsonArray.size)
        assertFalse(json["stats"]!!.jsonObject["interrupted"]!!.jsonPrimitive.boolean)
        val nd = File(path("a.ndjson")).readLines()
        assertEquals(2, nd.size)
        assertTrue(File(path("a.csv")).readLines().first().startsWith("address,hostname,status,"))
        val sarif = Json.parseToJsonElement(File(path("a.sarif")).readText()).jsonObject
        assertEquals("2.1.0", sarif["version"]!!.jsonPrimitive.content)
        assertEquals(1, sarif["runs"]!!.jsonArray[0].jsonObject["results"]!!.jsonArray.size)
        assertEquals("testsuites", parseXml(File(path("a.junit.xml")).readText()).documentElement.tagName)
        assertTrue(File(path("a.html")).readText().trimEnd().endsWith("</html>"))

        for (ext in listOf("nmap", "xml", "gnmap")) assertTrue(File("$base.$ext").length() > 0, "-oA wrote no $base.$ext")
        assertValidNmapXml(File("$base.xml").readText())
    }

    @Test
    fun `-oX - and -oG - write to stdout instead of the terminal report`() = LoopbackPorts().use { ports ->
        val xml = test("-sT -Pn -n -p ${ports.open} -oX - 127.0.0.1")
        assertEquals(Cli.EXIT_OK, xml.code)
        assertTrue(xml.out.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n"))
        assertFalse("Starting kmap" in xml.out)
        assertValidNmapXml(xml.out)

        val grep = test("-sT -Pn -n -p ${ports.open} -oG - 127.0.0.1")
        assertTrue(grep.out.lines().contains("Host: 127.0.0.1 ()\tPorts: ${ports.open}/open/tcp//${dev.kmap.dsl.ServiceNames.name(dev.kmap.dsl.Protocol.TCP, ports.open) ?: "unknown"}///"), grep.out)
        assertFalse("Starting kmap" in grep.out)

        val json = test("-sT -Pn -n -p ${ports.open} --json - 127.0.0.1")
        assertEquals("kmap", Json.parseToJsonElement(json.out).jsonObject["scanner"]!!.jsonPrimitive.content)
    }

    @Test
    fun `--open leaves out hosts without open ports`() = LoopbackPorts().use { ports ->
        val r = test("-sT -Pn -n --open -p ${ports.closed} 127.0.0.1")
        assertEquals(Cli.EXIT_OK, r.code)
        assertFalse("scan report" in r.out)
        assertTrue("kmap done: 1 IP address (1 host up)" in r.out)
    }

    @Test
    fun `-sn finds loopback up without a port scan`() {
        val r = test("-sn -n -oG - 127.0.0.1")
        assertEquals(Cli.EXIT_OK, r.code)
        assertTrue(r.out.lines().contains("Host: 127.0.0.1 ()\tStatus: Up"), r.out)
        assertFalse("Ports:" in r.out)
    }

    @Test
    fun `no progress bar unless stderr is a terminal, then it clears itself`() = LoopbackPorts().use { ports ->
        assertEquals("", test("-sT -Pn -n -p 1-2000 127.0.0.1").err)
        val r = test(listOf("-sT", "-Pn", "-n", "-p", "1-3000", "--scan-delay", "1ms", "127.0.0.1"), terminal = true)
        assertEquals(Cli.EXIT_OK, r.code)
        if (r.err.isNotEmpty()) assertTrue(r.err.contains("hosts") && r.err.endsWith("\r\u001b[K"), r.err)
        assertEquals("", test(listOf("--no-progress", "-sT", "-Pn", "-n", "-p", "1-500", "--scan-delay", "1ms", "127.0.0.1"), terminal = true).err)
    }

    @Test
    fun `an interrupted scan writes partial results to every output and exits 130`() {
        val control = ScanControl()
        var found = 0
        val files = mapOf("-oX" to "i.xml", "-oJ" to "i.json", "--ndjson" to "i.ndjson", "--sarif" to "i.sarif", "--junit" to "i.junit.xml",
            "--html" to "i.html", "-oG" to "i.gnmap", "-oN" to "i.nmap", "--csv" to "i.csv")
        val argv = listOf("-sT", "-Pn", "-n", "-p-", "127.0.0.1", "127.0.0.2") + files.flatMap { (flag, name) -> listOf(flag, path(name)) }
        val r = test(argv, control = control) { e -> if (e is ScanEvent.PortFound && ++found == 2_000) control.stop() }
        assertEquals(Cli.EXIT_INTERRUPTED, r.code, r.err)
        assertTrue(r.err.startsWith("kmap: interrupted: partial results written to "), r.err)
        assertTrue("Scan interrupted: the results above are partial." in r.out)

        val xml = File(path("i.xml")).readText()
        assertValidNmapXml(xml)
        val finished = parseXml(xml).getElementsByTagName("finished").item(0) as org.w3c.dom.Element
        assertEquals("error", finished.getAttribute("exit"))
        assertTrue(parseXml(xml).getElementsByTagName("host").length >= 1, "the started host is reported")

        val json = Json.parseToJsonElement(File(path("i.json")).readText()).jsonObject
        assertTrue(json["stats"]!!.jsonObject["interrupted"]!!.jsonPrimitive.boolean)
        val ports = json["hosts"]!!.jsonArray.sumOf { it.jsonObject["ports"]!!.jsonArray.size }
        assertTrue(ports in 2_000 until 2 * 65_535, "partial: $ports ports")
        File(path("i.ndjson")).readLines().forEach { Json.parseToJsonElement(it) }
        val sarif = Json.parseToJsonElement(File(path("i.sarif")).readText()).jsonObject
        assertFalse(sarif["runs"]!!.jsonArray[0].jsonObject["invocations"]!!.jsonArray[0].jsonObject["executionSuccessful"]!!.jsonPrimitive.boolean)
        parseXml(File(path("i.junit.xml")).readText())
        assertTrue(File(path("i.html")).readText().trimEnd().endsWith("</html>"))
        assertTrue(File(path("i.gnmap")).readLines().last().startsWith("# kmap done at "))
        assertTrue(File(path("i.nmap")).readLines().last().startsWith("# kmap done at "))
    }
}
