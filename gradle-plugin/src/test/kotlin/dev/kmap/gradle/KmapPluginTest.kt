package dev.kmap.gradle

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.expectations
import dev.kmap.dsl.scan
import dev.kmap.gradle.internal.ScanJob
import dev.kmap.store.ScanStore
import org.gradle.api.GradleException
import org.gradle.api.Project
import org.gradle.api.Task
import org.gradle.api.internal.TaskOutputsInternal
import org.gradle.api.tasks.VerificationException
import org.gradle.testfixtures.ProjectBuilder
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * The plugin under Gradle's ProjectBuilder: applying, configuring, task registration and inputs,
 * and the task actions run against real loopback listeners through the in-process executor
 * (the same [ScanJob] the isolated worker runs).
 */
class KmapPluginTest {
    @TempDir
    lateinit var dir: File

    private fun project(): Project = ProjectBuilder.builder().withProjectDir(dir).build().also { it.pluginManager.apply(KmapPlugin.ID) }

    private fun Project.kmap() = extensions.getByType(KmapExtension::class.java)

    private fun listener() = ServerSocket(0, 50, InetAddress.getLoopbackAddress())

    private fun freePort() = listener().use { it.localPort }

    private fun run(task: Task) {
        (task as AbstractKmapTask).executor = ScanExecutor { ScanJob.run(it) }
        task.actions.forEach { it.execute(task) }
    }

    private fun loopback(spec: KmapScanSpec, vararg ports: Int) {
        spec.targets("127.0.0.1")
        spec.ports(ports.joinToString(","))
        spec.scan { connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
    }

    @Test
    fun `the plugin adds the extension, the engine configuration and the aggregate task`() {
        val p = project()
        assertTrue(p.extensions.findByName("kmap") is KmapExtension)
        assertEquals("kmapEngine", p.configurations.getByName(KmapPlugin.ENGINE_CONFIGURATION).name)
        assertEquals("verification", p.tasks.getByName("kmapScan").group)
        assertEquals(emptyList(), p.tasks.names.filter { it.startsWith("kmapScan") && it != "kmapScan" })
    }

    @Test
    fun `a registered scan configures tasks with the right names, inputs and outputs`() {
        val p = project()
        p.kmap().scans.register("staging") { s ->
            s.targets("127.0.0.1")
            s.ports(top = 100)
            s.expect { open(443); open(22) from "10.0.0.0/8"; nothingElseOpen() }
            s.baseline(p.file("kmap/staging-baseline.json"))
            s.reports { sarif(); junit(); html(); xml() }
        }
        val scanTask = p.tasks.getByName("kmapScanStaging") as KmapScanTask
        val baselineTask = p.tasks.getByName("kmapBaselineStaging") as KmapBaselineTask
        assertEquals(scan { targets("127.0.0.1"); ports { top(100) } }.toJson(), scanTask.planJson.get())
        assertEquals(expectations { open(443); open(22) from "10.0.0.0/8"; nothingElseOpen() }.toJson(), scanTask.expectationsJson.get())
        assertEquals(listOf("SARIF", "JUNIT", "HTML", "XML"), scanTask.formats.get())
        assertEquals(File(dir, "build/reports/kmap/staging"), scanTask.reportsDir.get().asFile)
        assertEquals(File(dir, "kmap/staging-baseline.json"), scanTask.baselineFile.get().asFile)
        assertEquals(listOf(File(dir, "kmap/staging-baseline.json")), scanTask.baseline.files.toList())
        assertEquals(false, scanTask.ignoreFailures.get())
        assertEquals("staging", scanTask.scanName.get())
        assertEquals(
            setOf("scanName", "planJson", "expectationsJson", "formats", "store", "ignoreFailures"),
            scanTask.inputs.properties.keys,
        )
        assertEquals(setOf(File(dir, "build/reports/kmap/staging")), scanTask.outputs.files.files)
        // never up to date: a scan observes the network
        assertEquals(false, (scanTask.outputs as TaskOutputsInternal).upToDateSpec.isSatisfiedBy(scanTask))
        assertEquals(false, (baselineTask.outputs as TaskOutputsInternal).upToDateSpec.isSatisfiedBy(baselineTask))
        assertEquals(setOf(File(dir, "kmap/staging-baseline.json")), baselineTask.outputs.files.files)
        assertEquals(scanTask.planJson.get(), baselineTask.planJson.get())
        val aggregate = p.tasks.getByName("kmapScan")
        assertEquals(setOf(scanTask), aggregate.taskDependencies.getDependencies(aggregate))
        assertEquals(setOf<Task>(baselineTask), scanTask.mustRunAfter.getDependencies(scanTask))
        // a scan with no baseline has an empty baseline input, not an error
        p.kmap().scans.register("plain") { it.targets("127.0.0.1") }
        assertEquals(emptySet(), (p.tasks.getByName("kmapScanPlain") as KmapScanTask).baseline.files)
    }

    @Test
    fun `the scan task writes every report and fails with each violation`() {
        listener().use { a -> listener().use { b ->
            val c = freePort()
            val p = project()
            p.kmap().scans.register("local") { s ->
                loopback(s, a.localPort, b.localPort, c)
                s.expect { open(a.localPort); open(c); nothingElseOpen() }
                s.reports { sarif(); junit(); html(); xml(); json() }
            }
            val task = p.tasks.getByName("kmapScanLocal")
            val e = assertFailsWith<VerificationException> { run(task) }
            val reports = File(dir, "build/reports/kmap/local")
            assertEquals(
                """
                kmap scan 'local' broke 2 expectations:
                  127.0.0.1 port $c/tcp: expected open (open $c/tcp), found closed
                  127.0.0.1 port ${b.localPort}/tcp: expected not open (nothing-else-open), found open
                Reports: ${reports.path}
                """.trimIndent(),
                e.message,
            )
            assertEquals(listOf("local.html", "local.json", "local.junit.xml", "local.sarif", "local.xml"), reports.list()!!.sorted())
            val sarif = File(reports, "local.sarif").readText()
            assertEquals(2, Regex("\"ruleId\":\"KMAP2001\"").findAll(sarif).count())
            assertTrue("\"text\":\"127.0.0.1 port $c/tcp: expected open (open $c/tcp), found closed\"" in sarif)
            val junit = File(reports, "local.junit.xml").readText()
            assertTrue("<testsuite name=\"kmap expectations\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\"" in junit, junit)
            assertTrue("<testcase classname=\"kmap\" name=\"open ${a.localPort}/tcp\" time=\"0.000000\"/>" in junit)
            assertTrue(File(reports, "local.xml").readText().contains("<port protocol=\"tcp\" portid=\"${b.localPort}\"><state state=\"open\""))
            assertTrue(File(reports, "local.json").readText().startsWith("{\"scanner\":\"kmap\""))
            assertTrue(File(reports, "local.html").readText().startsWith("<!DOCTYPE html>"))
        } }
    }

    @Test
    fun `ignoreFailures logs the violations instead of failing, and a kept policy passes`() {
        listener().use { a ->
            val p = project()
            p.kmap().scans.register("lenient") { s ->
                loopback(s, a.localPort)
                s.expect { closed(a.localPort) }
                s.ignoreFailures.set(true)
                s.reports { junit() }
            }
            p.kmap().scans.register("kept") { s ->
                loopback(s, a.localPort)
                s.expect { open(a.localPort); nothingElseOpen() }
            }
            run(p.tasks.getByName("kmapScanLenient"))
            assertTrue(File(dir, "build/reports/kmap/lenient/lenient.junit.xml").readText().contains("failures=\"1\""))
            run(p.tasks.getByName("kmapScanKept"))
            assertEquals(emptyList(), File(dir, "build/reports/kmap/kept").list()!!.toList())
        }
    }

    @Test
    fun `the baseline task writes the baseline and the scan task reports changes against it`() {
        listener().use { a ->
            val b = listener()
            val p = project()
            val baselineFile = File(dir, "kmap/web-baseline.json")
            p.kmap().scans.register("web") { s ->
                loopback(s, a.localPort, b.localPort)
                s.expect { noChangeFromBaseline() }
                s.baseline(baselineFile)
            }
            val scanTask = p.tasks.getByName("kmapScanWeb")
            val missing = assertFailsWith<KmapToolException> { run(scanTask) }
            assertEquals(
                "kmap scan 'web' could not run: no-change-from-baseline needs a baseline, but the baseline file ${baselineFile.path} does not exist (run kmapBaselineWeb first)",
                missing.message,
            )
            run(p.tasks.getByName("kmapBaselineWeb"))
            val ports = listOf(a.localPort, b.localPort).sorted()
            assertEquals(
                "{\n    \"formatVersion\": 1,\n    \"hosts\": {\n        \"127.0.0.1\": [\n            \"${ports[0]}/tcp\",\n            \"${ports[1]}/tcp\"\n        ]\n    }\n}\n",
                baselineFile.readText(),
            )
            run(scanTask) // nothing changed
            b.close()
            val e = assertFailsWith<VerificationException> { run(scanTask) }
            assertEquals(
                "kmap scan 'web' broke 1 expectation:\n" +
                    "  127.0.0.1 port ${b.localPort}/tcp: expected open (as in the baseline) (no-change-from-baseline), found closed\n" +
                    "Reports: ${File(dir, "build/reports/kmap/web").path}",
                e.message,
            )
        }
    }

    @Test
    fun `a tool error is distinct from a finding`() {
        val p = project()
        val hosts = File(dir, "no-such-hosts.txt")
        p.kmap().scans.register("broken") { s ->
            s.scan { targets { file(hosts.path) }; ports("22"); connect() }
            s.expect { nothingElseOpen() }
            s.ignoreFailures.set(true) // does not hide tool errors
        }
        val e = assertFailsWith<KmapToolException> { run(p.tasks.getByName("kmapScanBroken")) }
        assertEquals("kmap scan 'broken' could not run: cannot read target file \"${hosts.path}\": ${hosts.path} (No such file or directory)", e.message)
        assertTrue(e !is VerificationException)
        val noBaseline = assertFailsWith<KmapToolException> { run(p.tasks.getByName("kmapBaselineBroken")) }
        assertEquals("kmap scan 'broken' has no baseline file: add baseline(file(\"kmap/broken-baseline.json\")) to it", noBaseline.message)
    }

    @Test
    fun `a scan with a store is recorded in kmap's history, a bad store is a tool error and left untouched`() {
        listener().use { open ->
            val closed = freePort()
            val p = project()
            val db = File(dir, "history/kmap.db")
            p.kmap().scans.register("stored") { s -> loopback(s, open.localPort, closed); s.store.set(db.path) }
            run(p.tasks.getByName("kmapScanStored"))
            run(p.tasks.getByName("kmapScanStored"))
            ScanStore.open(db.path).use { store ->
                val history = store.history()
                assertEquals(2, history.size)
                assertEquals(listOf(1L, 1L), history.map { it.openPorts })
                assertEquals("gradle kmapScanStored", store.load(history.first().id).settings.commandLine)
                assertTrue(store.diff(history[1].id, history[0].id).isEmpty)
            }
            val foreign = File(dir, "notes.txt").apply { writeText("not a database\n") }
            p.kmap().scans.register("foreign") { s -> loopback(s, open.localPort); s.store.set(foreign.path) }
            val e = assertFailsWith<KmapToolException> { run(p.tasks.getByName("kmapScanForeign")) }
            assertTrue(e.message!!.startsWith("kmap scan 'foreign' could not run: ") && foreign.path in e.message!!, e.message)
            assertEquals(1, e.message!!.lines().size)
            assertEquals("not a database\n", foreign.readText())
        }
    }

    @Test
    fun `bad DSL values fail with the DSL's one-line message`() {
        val p = project()
        p.kmap().scans.register("bad") { s -> s.targets("127.0.0.1"); s.ports("70000") }
        p.kmap().scans.register("badExpect") { s -> s.targets("127.0.0.1"); s.expect { open(22) from "10.0.0.1/8" } }
        // Gradle wraps it as "Failed to query the value of task ':kmapScanBad' property 'planJson'", caused by ours
        fun cause(e: Throwable) = generateSequence(e) { it.cause }.last()
        val e = cause(assertFailsWith<RuntimeException> { (p.tasks.getByName("kmapScanBad") as KmapScanTask).planJson.get() })
        assertTrue(e is GradleException)
        assertEquals("kmap scan 'bad': invalid scan: port 70000 in \"70000\" is out of range (ports are 0..65535)", e.message)
        val x = cause(assertFailsWith<RuntimeException> { (p.tasks.getByName("kmapScanBadExpect") as KmapScanTask).expectationsJson.get() })
        assertEquals("kmap scan 'badExpect': invalid expectations: invalid CIDR 10.0.0.1/8 (host bits are set; expected the network address 10.0.0.0/8)", x.message)
    }
}
