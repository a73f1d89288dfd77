package dev.kmap.report

import dev.kmap.Kmap
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.expectations
import dev.kmap.dsl.scan
import dev.kmap.engine.ConnectScanModule
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.scanFlow
import dev.kmap.report.format.OutputValidation
import dev.kmap.report.testing.Documents
import dev.kmap.report.testing.FaultyModule
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import java.util.concurrent.CancellationException as FutureCancelled

/**
 * The job every front end shares, through the library API: outputs written as the CLI writes
 * them, closed well-formed on failure and cancellation, and the output-safety checks before the
 * first packet. Loopback only.
 */
class ScanJobTest {
    @TempDir
    lateinit var dir: File

    private fun file(name: String) = File(dir, name)

    private fun loopback(vararg ports: Int, outputs: Map<OutputFormat, File> = emptyMap()): ScanPlan = scan {
        targets("127.0.0.1"); ports(ports.joinToString(",")); connect(); skipDiscovery(); dns(DnsResolution.NEVER)
        output { outputs.forEach { (f, path) -> format(f, path.path) } }
    }

    private val quick = EngineConfig(progressIntervalMillis = 0)

    @Test
    fun `Kmap scan writes the plan's outputs as the CLI does`() {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val xml = file("lib.xml"); val json = file("lib.json"); val grep = file("lib.gnmap")
            val plan = loopback(server.localPort, outputs = mapOf(OutputFormat.XML to xml, OutputFormat.JSON to json, OutputFormat.GREPABLE to grep))
            val report = runBlocking { Kmap.scan(plan, quick) }
            assertEquals(1, report.hosts.size)
            OutputValidation.assertValidNmapXml(xml.readText())
            assertTrue("portid=\"${server.localPort}\"><state state=\"open\"" in xml.readText())
            OutputValidation.assertValidKmapJson(json.readText())
            assertEquals(plan, ScanPlan.fromJson(OutputValidation.parseJson(json.readText())["plan"].toString()), "the JSON carries the whole plan, outputs included")
            assertTrue(grep.readLines().last().startsWith("# kmap done at "))
            // the same plan through the flow and the Java call
            val flowXml = file("flow.xml")
            runBlocking { Kmap.scanFlow(loopback(server.localPort, outputs = mapOf(OutputFormat.XML to flowXml)), quick).collect() }
            OutputValidation.assertValidNmapXml(flowXml.readText())
            val blockingJson = file("blocking.json")
            Kmap.scanBlocking(loopback(server.localPort, outputs = mapOf(OutputFormat.JSON to blockingJson)), quick)
            OutputValidation.assertValidKmapJson(blockingJson.readText())
        }
    }

    @Test
    fun `the engine refuses outputs up front with one line naming the field`() {
        val plan = loopback(22, outputs = mapOf(OutputFormat.XML to file("never.xml")))
        val e = assertFailsWith<InvalidSpecException> { scanFlow(plan, quick) }
        assertEquals(
            "ScanPlan.outputs (-oX ${file("never.xml").path}) are written by Kmap.scan/Kmap.scanFlow (module scan-report), not by the engine's " +
                "scan()/scanFlow(): use those, or plan.copy(outputs = emptyList())",
            e.message,
        )
        assertFalse(file("never.xml").exists())
    }

    @Test
    fun `a scan that fails midway leaves well-formed XML and JSON (library)`() {
        val xml = file("failed.xml"); val json = file("failed.json")
        val plan = loopback(*(1..3000).toList().toIntArray(), outputs = mapOf(OutputFormat.XML to xml, OutputFormat.JSON to json))
        val e = assertFailsWith<IllegalStateException> { Kmap.scanBlocking(plan, FaultyModule.failing()) }
        assertEquals("socket table exploded", e.message)
        Documents.assertInterruptedXml(xml)
        Documents.assertInterruptedJson(json)
    }

    @Test
    fun `a cancelled scan leaves well-formed XML and JSON (library)`() {
        val xml = file("cancelled.xml"); val json = file("cancelled.json")
        val plan = loopback(*(1..3000).toList().toIntArray(), outputs = mapOf(OutputFormat.XML to xml, OutputFormat.JSON to json))
        // cancelling the collector: take() stops the flow after the first port
        runBlocking { Kmap.scanFlow(plan, FaultyModule.stopping(after = Int.MAX_VALUE)).take(3).collect() }
        Documents.assertInterruptedXml(xml)
        Documents.assertInterruptedJson(json)
        // cancelling the Java future midway
        val xml2 = file("future.xml"); val json2 = file("future.json")
        val plan2 = loopback(*(1..60000).toList().toIntArray(), outputs = mapOf(OutputFormat.XML to xml2, OutputFormat.JSON to json2))
        val engine = EngineConfig(modules = listOf(FaultyModule(onProbe = { Thread.sleep(0, 200_000) })), progressIntervalMillis = 0)
        val future = Kmap.scanAsync(plan2, engine)
        // midway: the outputs have begun (their headers are written), the scan goes on
        val begun = System.nanoTime() + 30_000_000_000L
        while (!(xml2.isFile && xml2.length() > 0) && System.nanoTime() < begun) Thread.sleep(5)
        assertTrue(xml2.length() > 0, "the scan started")
        assertFalse(future.isDone)
        future.cancel(true)
        assertFailsWith<FutureCancelled> { future.get(30, TimeUnit.SECONDS) }
        // the job closes the files as the coroutine unwinds, just after the future says cancelled
        val deadline = System.nanoTime() + 10_000_000_000L
        while (!json2.readText().trimEnd().endsWith("}") && System.nanoTime() < deadline) Thread.sleep(20)
        Documents.assertInterruptedXml(xml2)
        Documents.assertInterruptedJson(json2)
    }

    @Test
    fun `a gracefully stopped scan reports the started host in every document`() {
        val xml = file("stopped.xml"); val json = file("stopped.json")
        val plan = loopback(*(1..3000).toList().toIntArray(), outputs = mapOf(OutputFormat.XML to xml, OutputFormat.JSON to json))
        val outcome = ScanJob(plan).runBlocking(FaultyModule.stopping())
        assertTrue(outcome.interrupted)
        Documents.assertInterruptedXml(xml, withHost = true)
        Documents.assertInterruptedJson(json)
    }

    @Test
    fun `an existing file is never truncated when a later output cannot be opened`() {
        val keep = file("keep.txt").apply { writeText("yesterday's report\n") }
        val plan = loopback(22, outputs = mapOf(OutputFormat.NORMAL to keep, OutputFormat.XML to File("/proc/kmap-no/x.xml")))
        val e = assertFailsWith<OutputException> { ScanJob(plan).runBlocking(quick) }
        assertEquals("cannot write -oX output \"/proc/kmap-no/x.xml\": directory /proc/kmap-no does not exist", e.message)
        assertEquals("yesterday's report\n", keep.readText())
        // a path in an existing directory that cannot be created either: the same, and no file is left behind
        val created = file("new.nmap")
        val plan2 = loopback(22, outputs = mapOf(OutputFormat.NORMAL to keep, OutputFormat.GREPABLE to created, OutputFormat.XML to File("/proc/x")))
        val e2 = assertFailsWith<OutputException> { ScanJob(plan2).runBlocking(quick) }
        assertTrue(e2.message!!.startsWith("cannot write -oX output \"/proc/x\": "), e2.message)
        assertEquals("yesterday's report\n", keep.readText())
        assertFalse(created.exists(), "an output the refused scan created is removed again")
    }

    @Test
    fun `a scan that cannot start leaves existing files alone and removes the ones it created`() {
        val keep = file("keep.xml").apply { writeText("<old/>\n") }
        val fresh = file("fresh.json")
        val plan = scan {
            targets("127.0.0.1"); ports("80"); fin(); output { xml(keep.path); json(fresh.path) }
        }
        assertFailsWith<dev.kmap.engine.ScanUnavailableException> { ScanJob(plan).runBlocking(EngineConfig(modules = listOf(ConnectScanModule))) }
        assertEquals("<old/>\n", keep.readText())
        assertFalse(fresh.exists())
    }

    @Test
    fun `the baseline path is checked before the first packet`() {
        var events = 0
        val counting = ScanSink { events++ }
        val e = assertFailsWith<OutputException> {
            ScanJob(loopback(22), saveBaselineTo = "/nonexistent/base.json", sinks = listOf(counting)).runBlocking(quick)
        }
        assertEquals("cannot write --save-baseline output \"/nonexistent/base.json\": directory /nonexistent does not exist", e.message)
        assertEquals(0, events, "no event: the scan never started")
    }

    @Test
    fun `one file written twice is refused, through symlinks too, and so are inputs and two stdout formats`() {
        val report = file("report.json")
        val link = file("link.json")
        Files.createSymbolicLink(link.toPath(), report.toPath())
        fun refused(plan: ScanPlan, saveBaseline: String? = null, inputs: List<Pair<String, String>> = emptyList()): String =
            assertFailsWith<OutputException> { ScanJob(plan, saveBaselineTo = saveBaseline, inputs = inputs).runBlocking(quick) }.message!!
        assertEquals("-oJ and --save-baseline would both write \"${report.path}\"", refused(loopback(22, outputs = mapOf(OutputFormat.JSON to report)), saveBaseline = report.path))
        assertEquals("-oX and -oJ would both write \"${link.path}\"", refused(loopback(22, outputs = mapOf(OutputFormat.XML to link, OutputFormat.JSON to report))))
        assertEquals("-oN and -oX would both write \"${report.path}\"",
            refused(loopback(22, outputs = mapOf(OutputFormat.NORMAL to report, OutputFormat.XML to File(dir, "./sub/../report.json")))))
        val targets = file("targets.txt").apply { writeText("127.0.0.1\n") }
        val fromFile = scan { targets { file(targets.path) }; ports("22"); connect(); output { normal(targets.path) } }
        assertEquals("-oN would overwrite the -iL file \"${targets.path}\"", refused(fromFile))
        val policy = file("policy.txt").apply { writeText("open 22\n") }
        assertEquals("-oG would overwrite the --expect file \"${policy.path}\"",
            refused(loopback(22, outputs = mapOf(OutputFormat.GREPABLE to policy)), inputs = listOf("--expect" to policy.path)))
        val twoStdout = scan { targets("127.0.0.1"); ports("22"); connect(); output { xml("-"); json("-") } }
        assertEquals("-oX and -oJ would both write to standard output", refused(twoStdout))
        assertFalse(report.exists(), "nothing was created")
        assertEquals("127.0.0.1\n", targets.readText())
        assertEquals("open 22\n", policy.readText())
    }

    @Test
    fun `devices take outputs as before`() {
        val plan = loopback(1, outputs = mapOf(OutputFormat.NORMAL to File("/dev/null"), OutputFormat.XML to File("/dev/null")))
        assertFalse(ScanJob(plan).runBlocking(quick).interrupted)
        assertTrue(File("/dev/null").exists())
    }

    @Test
    fun `expectations and a saved baseline through the job`() {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val closed = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
            val base = file("base.json")
            val junit = file("r.junit.xml")
            val outcome = ScanJob(
                loopback(server.localPort, closed, outputs = mapOf(OutputFormat.JUNIT to junit)),
                expectations = expectations { open(server.localPort); open(closed) },
                saveBaselineTo = base.path,
            ).runBlocking(quick)
            assertEquals(listOf("127.0.0.1 port $closed/tcp: expected open (open $closed/tcp), found closed"), outcome.violations.map { it.message })
            assertEquals(base.path, outcome.baselineWritten)
            assertEquals(listOf("${server.localPort}/tcp"), Baseline.fromJson(base.readText()).hosts["127.0.0.1"])
            assertTrue("<testsuite name=\"kmap expectations\" tests=\"2\" failures=\"1\"" in junit.readText())
            // an interrupted scan writes no baseline and removes the file it reserved
            val none = file("none.json")
            val stopped = ScanJob(loopback(*(1..3000).toList().toIntArray()), Expectations.NONE, saveBaselineTo = none.path).runBlocking(FaultyModule.stopping())
            assertTrue(stopped.interrupted)
            assertEquals(null, stopped.baselineWritten)
            assertFalse(none.exists())
        }
    }

    @Test
    fun `sinks see Started first and Finished last, also when the scan fails`() {
        val seen = ArrayList<String>()
        val sink = object : ScanSink {
            override fun open() { seen += "open" }
            override fun event(event: ScanEvent) { if (event is ScanEvent.Started || event is ScanEvent.Finished) seen += event.javaClass.simpleName }
            override fun close(started: Boolean) { seen += "close($started)" }
        }
        assertFailsWith<IllegalStateException> { ScanJob(loopback(*(1..3000).toList().toIntArray()), sinks = listOf(sink)).runBlocking(FaultyModule.failing()) }
        assertEquals(listOf("open", "Started", "Finished", "close(true)"), seen)
    }

    @Test
    fun `every problem has one wording`() {
        assertEquals(Problem.Kind.INPUT, Problem.of(InvalidSpecException("bad port")).kind)
        assertEquals(Problem.Kind.INPUT, Problem.of(OutputException("cannot write", "fix it")).kind)
        assertEquals("fix it", Problem.of(OutputException("cannot write", "fix it")).advice)
        assertEquals(Problem.Kind.IO, Problem.of(java.io.IOException("disk full")).kind)
        val bug = Problem.of(IllegalStateException("boom\nsecond line"))
        assertEquals(Problem.Kind.BUG, bug.kind)
        assertEquals("the scan failed: IllegalStateException: boom", bug.message)
        assertEquals(1, bug.kind.exitStatus)
        assertEquals(2, Problem.Kind.UNAVAILABLE.exitStatus)
        assertEquals(Problem.Kind.UNAVAILABLE, Problem.of(dev.kmap.engine.ScanUnavailableException("no raw packets")).kind)
    }

    /** A writer that keeps what was flushed apart from what waits in its buffer, and counts flushes. */
    private class FlushRecorder : java.io.Writer() {
        private val buffered = StringBuilder()
        val flushed = StringBuffer()
        @Volatile var flushes = 0
        override fun write(cbuf: CharArray, off: Int, len: Int) { synchronized(this) { buffered.append(cbuf, off, len) } }
        override fun flush() = synchronized(this) { flushes++; flushed.append(buffered); buffered.setLength(0) }
        override fun close() = flush()
    }

    @Test
    fun `standard output is flushed while the scan is quiet, and not once per host of a sweep`() {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val out = FlushRecorder()
            var seenBeforeFinished = ""
            // the host finishes, then nothing comes for 400 ms: its line must reach the writer meanwhile
            val quiet: (ScanPlan, EngineConfig) -> kotlinx.coroutines.flow.Flow<ScanEvent> = { p, e ->
                kotlinx.coroutines.flow.flow {
                    scanFlow(p, e).collect { ev ->
                        if (ev is ScanEvent.Finished) { kotlinx.coroutines.delay(400); seenBeforeFinished = out.flushed.toString() }
                        emit(ev)
                    }
                }
            }
            val plan = loopback(server.localPort, outputs = mapOf(OutputFormat.GREPABLE to File("-")))
            ScanJob(plan, outputs = plan.outputs, stdout = out, source = quiet).runBlocking(quick)
            assertTrue("Ports: ${server.localPort}/open/tcp" in seenBeforeFinished, "flushed while quiet: $seenBeforeFinished")
            assertTrue(out.flushed.toString().trimEnd().endsWith("seconds"), "the last line flushed at the end")
        }
        // 1024 hosts streamed to standard output: flushed every few ms, not per host
        val out = FlushRecorder()
        val sweep = scan {
            targets("127.0.4.0/22"); ports("9"); connect(); skipDiscovery(); dns(DnsResolution.NEVER)
            output { format(OutputFormat.GREPABLE, "-") }
        }
        ScanJob(sweep, outputs = sweep.outputs, stdout = out).runBlocking(quick)
        assertEquals(1024, out.flushed.lines().count { it.startsWith("Host: 127.0.") && "Ports: 9/" in it })
        assertTrue(out.flushes < 512, "${out.flushes} flushes for 1024 hosts")
    }

    @Test
    fun `a sink is asked to flush while the scan runs, never during one of its other calls, on any dispatcher`() {
        val inside = java.util.concurrent.atomic.AtomicBoolean(false)
        val overlaps = java.util.concurrent.atomic.AtomicInteger()
        val flushes = java.util.concurrent.atomic.AtomicInteger()
        // each call holds its sink ~1 ms: a flush from the job's timer that came in meanwhile would overlap
        fun busy() {
            if (!inside.compareAndSet(false, true)) overlaps.incrementAndGet()
            val end = System.nanoTime() + 1_000_000
            while (System.nanoTime() < end) Unit
            inside.set(false)
        }
        val sink = object : ScanSink {
            override fun event(event: ScanEvent) = busy()
            override fun flush() { flushes.incrementAndGet(); busy() }
        }
        val plan = scan { targets("127.0.5.0/26"); ports("9"); connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
        // the events spread over about a second: the job's flushes fall among them
        val slow: (ScanPlan, EngineConfig) -> kotlinx.coroutines.flow.Flow<ScanEvent> = { p, e ->
            kotlinx.coroutines.flow.flow { scanFlow(p, e).collect { ev -> emit(ev); kotlinx.coroutines.delay(3) } }
        }
        runBlocking(kotlinx.coroutines.Dispatchers.Default) { ScanJob(plan, sinks = listOf(sink), source = slow).flow(quick).collect { } }
        assertTrue(flushes.get() >= 2, "${flushes.get()} flushes")
        assertEquals(0, overlaps.get(), "calls overlapping")
    }
}
