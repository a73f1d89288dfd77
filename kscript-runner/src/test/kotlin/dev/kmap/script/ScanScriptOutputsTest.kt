package dev.kmap.script

import dev.kmap.report.testing.Documents
import dev.kmap.report.testing.FaultyModule
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * A `.scan.kts` that [ScanScript.run]s a plan writes its outputs through the same job as the
 * CLI: closed well-formed when the scan fails midway and when it is stopped (Ctrl-C of `kmap run`).
 */
class ScanScriptOutputsTest {
    @TempDir lateinit var dir: File

    private val script by lazy {
        File(dir, "outputs.scan.kts").apply {
            writeText(
                """
                val plan = scan {
                    targets("127.0.0.1"); ports("1-3000"); connect(); skipDiscovery(); dns(DnsResolution.NEVER)
                    output { xml(args[0]); json(args[1]) }
                }
                val report = run(plan)
                println("interrupted=" + report.stats.interrupted)
                """.trimIndent() + "\n",
            )
        }
    }

    private fun host(engine: dev.kmap.engine.EngineConfig) = ScriptHost(cacheDir = File(dir, "cache"), engine = engine)

    @Test
    fun `a scan that fails midway leaves well-formed XML and JSON`() {
        val xml = File(dir, "failed.xml"); val json = File(dir, "failed.json")
        val e = assertFailsWith<ScriptFailedException> { host(FaultyModule.failing()).runFile(script, listOf(xml.path, json.path)) }
        assertTrue("socket table exploded" in e.message!!, e.message)
        Documents.assertInterruptedXml(xml)
        Documents.assertInterruptedJson(json)
    }

    @Test
    fun `a stopped scan leaves well-formed XML and JSON with the host found so far`() {
        val xml = File(dir, "stopped.xml"); val json = File(dir, "stopped.json")
        val out = java.io.ByteArrayOutputStream()
        val saved = System.out
        System.setOut(java.io.PrintStream(out, true))
        try { host(FaultyModule.stopping()).runFile(script, listOf(xml.path, json.path)) } finally { System.setOut(saved) }
        assertEquals("interrupted=true\n", out.toString())
        Documents.assertInterruptedXml(xml, withHost = true)
        Documents.assertInterruptedJson(json)
    }
}
