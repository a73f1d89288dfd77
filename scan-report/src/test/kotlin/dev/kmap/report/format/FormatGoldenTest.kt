package dev.kmap.report.format

import dev.kmap.dsl.OutputFormat
import dev.kmap.report.format.ReportFixture.options
import dev.kmap.report.format.ReportFixture.render
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Every format rendered from [ReportFixture], compared with its golden file and its schema or DTD. */
class FormatGoldenTest {
    class Case(val golden: String, val text: () -> String) {
        override fun toString() = golden
    }

    companion object {
        @JvmStatic
        fun cases() = listOf(
            Case("normal.nmap") { render(OutputFormat.NORMAL) },
            Case("normal-v-reason.nmap") { render(OutputFormat.NORMAL, options.copy(verbosity = 1, showReason = true)) },
            Case("normal-open.nmap") { render(OutputFormat.NORMAL, options.copy(openOnly = true)) },
            Case("normal-interactive.txt") { render(NormalFormat(options, interactive = true)) },
            Case("normal-vv-d.nmap") { render(OutputFormat.NORMAL, options.copy(verbosity = 2, debugging = 1)) },
            Case("xml.xml") { render(OutputFormat.XML) },
            Case("xml-v.xml") { render(OutputFormat.XML, options.copy(verbosity = 1)) },
            Case("xml-open.xml") { render(OutputFormat.XML, options.copy(openOnly = true)) },
            Case("grepable.gnmap") { render(OutputFormat.GREPABLE) },
            Case("grepable-v.gnmap") { render(OutputFormat.GREPABLE, options.copy(verbosity = 1)) },
            Case("json.json") { render(OutputFormat.JSON) },
            Case("ndjson.ndjson") { render(OutputFormat.NDJSON) },
            Case("csv.csv") { render(OutputFormat.CSV) },
            Case("sarif.sarif") { render(OutputFormat.SARIF) },
            Case("junit.xml") { render(OutputFormat.JUNIT) },
            Case("junit-v.xml") { render(OutputFormat.JUNIT, options.copy(verbosity = 1)) },
            Case("html.html") { render(OutputFormat.HTML) },
            Case("sarif-expect.sarif") { render(ReportFormats.create(OutputFormat.SARIF, options), expect = ReportFixture.policy) },
            Case("junit-expect.xml") { render(ReportFormats.create(OutputFormat.JUNIT, options), expect = ReportFixture.policy) },
        )
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    fun `matches its golden file`(case: Case) = Golden.assertMatches(case.golden, case.text())

    @Test
    fun `XML follows nmap's DTD, with and without -v and --open`() {
        OutputValidation.assertValidNmapXml(render(OutputFormat.XML))
        OutputValidation.assertValidNmapXml(render(OutputFormat.XML, options.copy(verbosity = 2, showReason = true)))
        OutputValidation.assertValidNmapXml(render(OutputFormat.XML, options.copy(openOnly = true)))
        OutputValidation.assertValidNmapXml(render(OutputFormat.XML, stats = ReportFixture.stats.copy(interrupted = true)))
        OutputValidation.assertValidNmapXml(render(OutputFormat.XML, hosts = emptyList()))
    }

    @Test
    fun `JSON follows its schema and round-trips the plan`() {
        val text = render(OutputFormat.JSON)
        OutputValidation.assertValidKmapJson(text)
        val node = OutputValidation.parseJson(text)
        assertEquals(4, node["hosts"].size())
        assertEquals(ReportFixture.plan, dev.kmap.dsl.ScanPlan.fromJson(node["plan"].toString()))
        OutputValidation.assertValidKmapJson(render(OutputFormat.JSON, hosts = emptyList()))
    }

    @Test
    fun `NDJSON lines are schema hosts, then stats`() {
        val lines = render(OutputFormat.NDJSON).trimEnd('\n').lines()
        assertEquals(5, lines.size)
        lines.dropLast(1).forEach(OutputValidation::assertValidKmapHost)
        OutputValidation.assertValidKmapStats(OutputValidation.parseJson(lines.last())["stats"])
    }

    @Test
    fun `SARIF follows the SARIF 2_1_0 schema`() {
        OutputValidation.assertValidSarif(render(OutputFormat.SARIF))
        OutputValidation.assertValidSarif(render(OutputFormat.SARIF, stats = ReportFixture.stats.copy(interrupted = true)))
        OutputValidation.assertValidSarif(render(OutputFormat.SARIF, hosts = emptyList()))
        OutputValidation.assertValidSarif(render(ReportFormats.create(OutputFormat.SARIF, options), expect = ReportFixture.policy))
        val results = OutputValidation.parseJson(render(OutputFormat.SARIF))["runs"][0]["results"]
        assertEquals(listOf("tcp://127.0.0.1:22", "tcp://127.0.0.1:80", "tcp://127.0.0.1:8080", "udp://127.0.0.1:53", "tcp://[::1]:80"),
            results.map { it["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].asText() })
    }

    @Test
    fun `JUnit and HTML are well-formed`() {
        OutputValidation.assertWellFormedXml(render(OutputFormat.JUNIT))
        val html = render(OutputFormat.HTML)
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.trimEnd().endsWith("</html>"))
        assertTrue("<script" !in html && "http://" !in html.replace("http://www.w3.org/2000/svg", ""), "self-contained: no scripts, no external resources")
        // the HTML body is XHTML-compatible, so an XML parser checks its nesting
        OutputValidation.assertWellFormedXml(html.removePrefix("<!DOCTYPE html>\n").replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"/>")
            .replace(Regex("<meta name=\"generator\" content=\"([^\"]*)\">"), "<meta name=\"generator\" content=\"$1\"/>").replace("<br>", "<br/>"))
    }

    @Test
    fun `CSV has a header and one row per port or host`() {
        val rows = render(OutputFormat.CSV).trimEnd('\n').lines()
        assertEquals("address,hostname,status,host_reason,protocol,port,state,reason,service,rtt_micros", rows[0])
        assertEquals(1 + 1 + 104 + 1 + 2, rows.size) // header, unresolved, localhost's ports, down, v6's ports
        assertTrue(rows.any { it == "::1,v6.example,up,user-set,tcp,80,open,syn-ack,http,9" })
        assertTrue(rows.any { it == "0.0.0.0,db.example,error,\"failed to resolve \"\"db.example\"\"\",,,,,," })
    }
}
