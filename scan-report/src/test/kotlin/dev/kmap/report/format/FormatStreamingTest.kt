package dev.kmap.report.format

import dev.kmap.dsl.OutputFormat
import dev.kmap.report.format.ReportFixture.T0
import dev.kmap.report.format.ReportFixture.options
import dev.kmap.report.format.ReportFixture.plan
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import kotlin.test.Test
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Formats write each host when it finishes, and an interrupted scan still ends well-formed. */
class FormatStreamingTest {
    @ParameterizedTest
    @EnumSource(OutputFormat::class)
    fun `a host is in the output as soon as host() returns`(format: OutputFormat) {
        val f = ReportFormats.create(format, options)
        val sb = StringBuilder()
        f.start(plan, T0, sb)
        val before = sb.length
        f.host(ReportFixture.localhost, sb)
        val written = sb.substring(before)
        assertTrue("8080" in written, "$format wrote nothing for a finished host: '$written'")
    }

    @ParameterizedTest
    @EnumSource(OutputFormat::class)
    fun `an interrupted scan leaves a complete document`(format: OutputFormat) {
        val text = ReportFixture.render(format, stats = ReportFixture.stats.copy(interrupted = true), hosts = listOf(ReportFixture.localhost))
        when (format) {
            OutputFormat.XML -> OutputValidation.assertValidNmapXml(text)
            OutputFormat.JUNIT -> OutputValidation.assertWellFormedXml(text)
            OutputFormat.JSON -> OutputValidation.assertValidKmapJson(text)
            OutputFormat.SARIF -> OutputValidation.assertValidSarif(text)
            OutputFormat.NDJSON -> text.lines().filter { it.isNotEmpty() }.forEach { OutputValidation.parseJson(it) }
            OutputFormat.HTML -> assertTrue(text.trimEnd().endsWith("</html>") && "interrupted" in text)
            OutputFormat.NORMAL, OutputFormat.GREPABLE -> assertTrue("interrupted" in text)
            OutputFormat.CSV -> assertTrue(text.endsWith("\n"))
        }
    }

    @Test
    fun `formatters hold no host list, a second host does not repeat the first`() {
        for (format in OutputFormat.entries) {
            val f = ReportFormats.create(format, options)
            val sb = StringBuilder()
            f.start(plan, T0, sb)
            f.host(ReportFixture.localhost, sb)
            val mark = sb.length
            f.host(ReportFixture.v6, sb)
            assertFalse("8080" in sb.substring(mark), "$format repeated an earlier host")
        }
    }
}
