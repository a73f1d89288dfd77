package dev.kmap.report.format

import dev.kmap.dsl.OutputFormat
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The format registry is the one list: every [OutputFormat] has a writer, distinct flags and
 * extensions, and a row in docs/output-formats.md's table (the CLI's, Gradle's and the DSL's
 * lists are checked against it in their own modules).
 */
class FormatRegistryTest {
    @Test
    fun `every format has a writer, and flags, names and extensions are distinct`() {
        for (f in OutputFormat.entries) {
            val sb = StringBuilder()
            ReportFormats.create(f, ReportOptions()).start(ReportFixture.plan, ReportFixture.T0, sb)
            assertTrue(f.extension.isNotEmpty() && !f.extension.startsWith("."), "$f has no extension")
            assertTrue(f.description.isNotBlank(), "$f has no description")
        }
        val flags = OutputFormat.entries.flatMap { it.flags }
        assertEquals(flags.distinct(), flags)
        assertEquals(OutputFormat.entries.map { it.extension }.distinct().size, OutputFormat.entries.size)
        assertEquals(OutputFormat.entries.map { it.dslName }.distinct().size, OutputFormat.entries.size)
        assertEquals(listOf("nmap", "xml", "gnmap"), OutputFormat.ALL.map { it.extension }, "-oA writes nmap's three")
    }

    @Test
    fun `the docs table lists exactly the registry's formats`() {
        val doc = File("../docs/output-formats.md").readText()
        val table = doc.lineSequence().dropWhile { !it.startsWith("| flag |") }.drop(2).takeWhile { it.startsWith("|") }.toList()
        val documented = table.map { row -> Regex("`(-[-a-zA-Z]+)").findAll(row.split('|')[1]).map { it.groupValues[1] }.toList() }
            .filter { it.isNotEmpty() && it != listOf("-oA") }
        assertEquals(OutputFormat.entries.map { it.flags }, documented, "docs/output-formats.md's table, in registry order")
        val all = table.single { "`-oA BASE`" in it }
        for (f in OutputFormat.ALL) assertTrue("BASE.${f.extension}" in all, "the -oA row names BASE.${f.extension}")
    }
}
