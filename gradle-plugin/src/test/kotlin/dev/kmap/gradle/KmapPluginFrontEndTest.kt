package dev.kmap.gradle

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.expectations
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.gradle.internal.ScanJob
import dev.kmap.report.testing.Documents
import dev.kmap.report.testing.FaultyModule
import org.gradle.api.Action
import org.gradle.api.Project
import org.gradle.api.Task
import org.gradle.testfixtures.ProjectBuilder
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * The plugin as Groovy build scripts and Java see it (Action blocks), its reports block against
 * the format registry, and its reports when a scan fails midway or is cancelled.
 */
class KmapPluginFrontEndTest {
    @TempDir
    lateinit var dir: File

    private fun project(): Project = ProjectBuilder.builder().withProjectDir(dir).build().also { it.pluginManager.apply(KmapPlugin.ID) }

    private fun Project.kmap() = extensions.getByType(KmapExtension::class.java)

    @Test
    fun `a Groovy build script configures scan, expect and reports`() {
        val p = project()
        val script = File(dir, "kmap.gradle")
        script.writeText(
            """
            kmap {
                scans {
                    staging {
                        targets('127.0.0.1')
                        ports('22,443')
                        scan { connect(); skipDiscovery() }
                        expect { open(443); nothingElseOpen() }
                        reports { sarif(); format('ndjson') }
                        ignoreFailures = true
                    }
                }
            }
            """.trimIndent(),
        )
        p.apply(mapOf("from" to script))
        val task = p.tasks.getByName("kmapScanStaging") as KmapScanTask
        assertEquals(scan { targets("127.0.0.1"); ports("22,443"); connect(); skipDiscovery() }.toJson(), task.planJson.get())
        assertEquals(expectations { open(443); nothingElseOpen() }.toJson(), task.expectationsJson.get())
        assertEquals(listOf("SARIF", "NDJSON"), task.formats.get())
        assertEquals(true, task.ignoreFailures.get())
    }

    @Test
    fun `Action objects configure a scan as Java code would`() {
        val p = project()
        p.kmap().scans.register("java", Action { s ->
            s.targets("127.0.0.1")
            s.scan(Action { it.connect(); it.dns(DnsResolution.NEVER) })
            s.expect(Action { it.open(22) })
            s.reports(Action { it.xml(); it.json() })
        })
        val task = p.tasks.getByName("kmapScanJava") as KmapScanTask
        assertEquals(scan { targets("127.0.0.1"); connect(); dns(DnsResolution.NEVER) }.toJson(), task.planJson.get())
        assertEquals(expectations { open(22) }.toJson(), task.expectationsJson.get())
        assertEquals(listOf("XML", "JSON"), task.formats.get())
    }

    @Test
    fun `the reports block offers every format of the registry`() {
        val reports = project().objects.newInstance(KmapReports::class.java)
        assertEquals(OutputFormat.entries.map { it.dslName }, reports.available)
        val methods = KmapReports::class.java.methods.filter { it.parameterCount == 0 }.map { it.name }.toSet()
        for (f in OutputFormat.entries) {
            assertTrue(f.dslName in methods, "reports { } has no ${f.dslName}()")
            reports.format(f.dslName)
        }
        assertEquals(OutputFormat.entries.map { it.name }, reports.formats.get())
        val e = assertFailsWith<KmapToolException> { reports.format("pdf") }
        assertEquals("unknown kmap report format \"pdf\" (expected one of ${OutputFormat.entries.joinToString(", ") { it.dslName }})", e.message)
    }

    private fun scanTask(p: Project, engine: EngineConfig): Task {
        p.kmap().scans.register("midway") { s ->
            s.targets("127.0.0.1")
            s.ports("1-3000")
            s.scan { connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
            s.reports { xml(); json() }
        }
        val task = p.tasks.getByName("kmapScanMidway")
        (task as AbstractKmapTask).executor = ScanExecutor { ScanJob.run(it, engine) }
        return task
    }

    @Test
    fun `a scan that fails midway leaves well-formed reports and fails the task as a tool error`() {
        val task = scanTask(project(), FaultyModule.failing())
        val e = assertFailsWith<KmapToolException> { task.actions.forEach { it.execute(task) } }
        assertEquals("kmap scan 'midway' could not run: the scan failed: IllegalStateException: socket table exploded", e.message)
        val reports = File(dir, "build/reports/kmap/midway")
        Documents.assertInterruptedXml(File(reports, "midway.xml"))
        Documents.assertInterruptedJson(File(reports, "midway.json"))
    }

    @Test
    fun `a cancelled scan (the worker thread interrupted) leaves well-formed reports`() {
        val slow = EngineConfig(modules = listOf(FaultyModule(onProbe = { Thread.sleep(0, 500_000) })), progressIntervalMillis = 0)
        val task = scanTask(project(), slow)
        val xml = File(dir, "build/reports/kmap/midway/midway.xml")
        var failure: Throwable? = null
        val worker = Thread { try { task.actions.forEach { it.execute(task) } } catch (e: Throwable) { failure = e } }
        worker.start()
        val deadline = System.nanoTime() + 30_000_000_000L
        while (!(xml.isFile && xml.length() > 0) && System.nanoTime() < deadline) Thread.sleep(5)
        worker.interrupt() // what Gradle does to a cancelled build's worker
        worker.join(30_000)
        assertTrue(failure is KmapToolException, "the task failed: $failure")
        Documents.assertInterruptedXml(xml)
        Documents.assertInterruptedJson(File(dir, "build/reports/kmap/midway/midway.json"))
    }
}
