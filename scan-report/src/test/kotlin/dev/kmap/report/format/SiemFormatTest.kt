package dev.kmap.report.format

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import org.snakeyaml.engine.v2.api.Load
import org.snakeyaml.engine.v2.api.LoadSettings
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** CEF, LEEF and YAML: escaping of hostile text, one line per open port, YAML read back by an independent parser. */
class SiemFormatTest {
    private val nasty = "a|b\\c=d\ne\rf\tg\u0000h\"i\u2028j"
    private val host = HostResult(
        Host(IpAddress.parse("fd10:252::5"), nasty),
        HostStatus.UP, "syn-ack",
        listOf(
            PortResult(22, Protocol.TCP, PortState.OPEN, "syn-ack", "ssh", 12, listOf(ScriptOutput("banner", nasty, ScriptElement.Table(listOf(ScriptElement.Elem("k", nasty), ScriptElement.Table(listOf(ScriptElement.Elem(null, "x")), "t")))))),
            PortResult(23, Protocol.TCP, PortState.CLOSED, "conn-refused", "telnet", 10),
            PortResult(53, Protocol.UDP, PortState.OPEN_FILTERED, "no-response", "domain", null),
        ),
        startedAtMillis = ReportFixture.T0, finishedAtMillis = ReportFixture.T0 + 5,
    )
    private val options = ReportFixture.options.copy(version = "1|2\\3")

    private fun render(format: OutputFormat, hosts: List<HostResult> = listOf(host)) =
        ReportFixture.render(ReportFormats.create(format, options), hosts = hosts)

    @Test
    fun `CEF escapes the header and the extension as the format specifies`() {
        val lines = render(OutputFormat.CEF).trimEnd('\n').lines()
        assertEquals(1, lines.size, "one line per open port only")
        val l = lines[0]
        assertTrue(l.startsWith("CEF:0|kmap|kmap|1\\|2\\\\3|open-port|Open port|3|"), l)
        assertTrue(" c6a3=fd10:252::5 c6a3Label=Destination IPv6 Address " in l, l)
        assertTrue(" dhost=a|b\\\\c\\=d\\ne\\rf g h\"i\u2028j " in l, l)
        assertTrue(" dpt=22 proto=TCP app=ssh cs1Label=state cs1=open cs2Label=reason cs2=syn-ack cn1Label=rttMicros cn1=12 " in l, l)
        assertTrue(l.endsWith(" cs3Label=scripts cs3=banner: a|b\\\\c\\=d\\ne\\rf g h\"i\u2028j"), l)
        // every unescaped '=' in the extension separates a key
        val ext = l.split(Regex("(?<!\\\\)\\|")).drop(7).joinToString("|")
        val keys = Regex("(?:^| )([A-Za-z0-9]+)=").findAll(ext).map { it.groupValues[1] }.toList()
        assertEquals(listOf("rt", "c6a3", "c6a3Label", "dhost", "dpt", "proto", "app", "cs1Label", "cs1", "cs2Label", "cs2", "cn1Label", "cn1", "cs3Label", "cs3"), keys)
    }

    @Test
    fun `LEEF values never hold the delimiter or a line break`() {
        val lines = render(OutputFormat.LEEF).trimEnd('\n').lines()
        assertEquals(1, lines.size)
        val l = lines[0]
        assertTrue(l.startsWith("LEEF:2.0|kmap|kmap|1\\|2\\3|open-port|x09|cat=open-port\tdevTime=2023-11-14T22:13:20.005Z\t"), l)
        val fields = l.substringAfter("|x09|").split('\t').associate { it.substringBefore('=') to it.substringAfter('=') }
        assertEquals("a|b\\c=d e f g h\"i\u2028j", fields["identHostName"])
        assertEquals("22", fields["dstPort"])
        assertEquals("fd10:252::5", fields["dst"])
        assertEquals(listOf("cat", "devTime", "devTimeFormat", "sev", "dst", "dstPort", "proto", "identHostName", "service", "state", "reason", "rttMicros", "scripts"), fields.keys.toList())
    }

    @Test
    fun `YAML reads back with every value intact`() {
        for (hosts in listOf(listOf(host), ReportFixture.hosts, emptyList())) {
            val doc = Load(LoadSettings.builder().build()).loadFromString(render(OutputFormat.YAML, hosts)) as Map<*, *>
            assertEquals("1|2\\3", doc["version"])
            val read = doc["hosts"] as List<*>
            assertEquals(hosts.size, read.size)
            hosts.zip(read).forEach { (h, r) ->
                r as Map<*, *>
                assertEquals(h.host.address.toString(), r["address"])
                assertEquals(h.host.name, r["name"])
                val ports = r["ports"] as List<*>
                assertEquals(h.ports.map { it.port }, ports.map { (it as Map<*, *>)["port"] })
                assertEquals(h.ports.map { it.state.label }, ports.map { (it as Map<*, *>)["state"] })
                h.ports.zip(ports).forEach { (p, rp) ->
                    val scripts = (rp as Map<*, *>)["scripts"] as List<*>?
                    assertEquals(p.scripts.map { it.output }, scripts.orEmpty().map { (it as Map<*, *>)["output"] })
                }
            }
            assertEquals(false, (doc["stats"] as Map<*, *>)["interrupted"])
        }
        val doc = Load(LoadSettings.builder().build()).loadFromString(render(OutputFormat.YAML)) as Map<*, *>
        val port = ((doc["hosts"] as List<*>)[0] as Map<*, *>)["ports"].let { (it as List<*>)[0] as Map<*, *> }
        val script = (port["scripts"] as List<*>)[0] as Map<*, *>
        assertEquals(nasty, script["output"])
        assertEquals(listOf(mapOf("key" to "k", "value" to nasty), mapOf("key" to "t", "table" to listOf(mapOf("key" to null, "value" to "x")))), script["elements"])
    }
}
