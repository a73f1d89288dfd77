package dev.kmap.cli

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.Baseline
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanReport
import dev.kmap.engine.Violation
import dev.kmap.engine.ScanStats
import dev.kmap.engine.output.NormalFormat
import dev.kmap.engine.output.ReportFormats
import dev.kmap.engine.output.ReportFormatter
import dev.kmap.engine.output.ReportOptions
import dev.kmap.engine.scanFlow
import dev.kmap.engine.verify
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.runBlocking
import java.io.BufferedWriter
import java.io.File
import java.io.OutputStreamWriter
import java.io.PrintStream
import java.io.Writer

/**
 * Runs one plan and feeds every requested output as events arrive: the terminal report (unless
 * an output already goes to stdout, as in nmap), each `-o*` file, the progress bar and, with
 * `-v`, ports as they are found. Files are opened when the scan starts (so a scan that cannot
 * start leaves no empty files) and closed with a well-formed ending even when the scan is
 * interrupted or fails midway.
 */
internal class ScanRun(
    private val plan: ScanPlan,
    private val cmd: ScanCommand,
    version: String,
    commandLine: String,
    out: PrintStream,
    private val err: PrintStream,
    private val terminal: Boolean,
    private val control: ScanControl,
    private val engine: EngineConfig,
    private val observer: (ScanEvent) -> Unit,
    private val recording: ScanRecording? = null,
    private val events: (EngineConfig) -> Flow<ScanEvent> = { scanFlow(plan, it) },
) {
    private val options = ReportOptions(
        version = version, commandLine = commandLine, verbosity = cmd.verbose, debugging = cmd.debug,
        showReason = cmd.reason, openOnly = cmd.openOnly,
    )
    private val stdout = BufferedWriter(OutputStreamWriter(out, Charsets.UTF_8))
    private val interactive = plan.outputs.none { it.path == "-" }

    /** One report: its formatter and where it goes (opened at start for files). */
    private inner class Sink(val formatter: ReportFormatter, val path: String?) {
        var writer: Writer? = if (path == null) stdout else null
        private var lastFlush = 0L

        fun open() { if (writer == null) writer = File(path!!).bufferedWriter(Charsets.UTF_8) }

        fun flush(force: Boolean) {
            val now = System.nanoTime()
            if (force || writer === stdout || now - lastFlush > FLUSH_NANOS) { writer?.flush(); lastFlush = now }
        }

        fun close() { if (writer !== stdout) writer?.close() }
    }

    fun execute(): Int {
        val sinks = ArrayList<Sink>()
        if (interactive) sinks += Sink(NormalFormat(options, interactive = true), null)
        for (o in plan.outputs) sinks += Sink(ReportFormats.create(o.format, options), o.path.takeIf { it != "-" })
        val progress = if (terminal && !cmd.noProgress) ProgressBar(err, Terminal.columns()) else null
        val config = EngineConfig(
            modules = engine.modules, resolver = engine.resolver, readLines = engine.readLines, clock = engine.clock,
            control = control, progressIntervalMillis = if (progress != null) PROGRESS_MILLIS else 0,
            hostProcessor = if (plan.scripts.isEmpty()) engine.hostProcessor else ScriptSupport.processor(plan, Version.text, cmd.scriptTimeoutMillis),
        )
        var started: ScanEvent.Started? = null
        var stats: ScanStats? = null
        var up = 0L
        var down = 0L
        // kept only when expectations or a baseline need the whole report
        val keep = cmd.expectations != null || cmd.saveBaseline != null
        val hosts = ArrayList<HostResult>()
        var violations: List<Violation> = emptyList()
        try {
            runBlocking {
                events(config).collect { e ->
                    observer(e)
                    recording?.accept(e)
                    when (e) {
                        is ScanEvent.Started -> {
                            started = e
                            sinks.forEach { it.open() }
                            sinks.forEach { it.formatter.start(plan, e.startedAtMillis, it.writer!!); it.flush(force = true) }
                        }
                        is ScanEvent.PortFound -> if (cmd.verbose > 0 && interactive && e.result.state == PortState.OPEN) {
                            progress?.clear()
                            stdout.append("Discovered open port ${e.result.port}/${e.result.protocol.label} on ${e.host.address}\n").flush()
                        }
                        is ScanEvent.HostFinished -> {
                            if (e.result.status == HostStatus.UP) up++ else if (e.result.status == HostStatus.DOWN) down++
                            if (keep) hosts += e.result
                            progress?.clear()
                            sinks.forEach { it.formatter.host(e.result, it.writer!!); it.flush(force = false) }
                        }
                        is ScanEvent.Progress -> progress?.update(e, System.currentTimeMillis() - (started?.startedAtMillis ?: 0))
                        is ScanEvent.Finished -> {
                            stats = e.stats
                            progress?.clear()
                            val expectations = cmd.expectations
                            if (expectations != null && !e.stats.interrupted) {
                                violations = verify(ScanReport(plan, hosts, e.stats), expectations, cmd.baseline)
                                recording?.expectations(expectations, violations)
                                sinks.forEach { it.formatter.expectations(expectations, violations, it.writer!!) }
                            }
                            sinks.forEach { it.formatter.finish(e.stats, it.writer!!); it.flush(force = true) }
                        }
                        is ScanEvent.Warning -> { progress?.clear(); err.println("kmap: warning: ${e.message}") }
                        is ScanEvent.HostStarted -> Unit
                    }
                }
            }
        } catch (e: Throwable) {
            // a failure midway: still close every document, so the files stay well-formed
            val s = started
            if (s != null && stats == null) {
                val partial = ScanStats(s.startedAtMillis, System.currentTimeMillis(), up, down, s.targetCount, 0, interrupted = true)
                sinks.forEach { sink -> runCatching { sink.formatter.finish(partial, sink.writer!!) } }
            }
            throw e
        } finally {
            progress?.clear()
            sinks.forEach { runCatching { it.close() } }
            stdout.flush()
            recording?.close()
        }
        if (stats?.interrupted == true) {
            val where = plan.outputs.filter { it.path != "-" }.joinToString(", ") { it.path }
            err.println("kmap: interrupted: partial results written" + if (where.isEmpty()) "" else " to $where")
            recording?.takeIf { it.complete }?.let { err.println("kmap: resume with: kmap --resume ${it.scanId}" + storeArg(it)) }
            return Cli.EXIT_INTERRUPTED
        }
        if (cmd.verbose > 0) recording?.takeIf { it.complete }?.let { err.println("kmap: recorded as scan ${it.scanId} (kmap show ${it.scanId}" + storeArg(it) + ")") }
        cmd.saveBaseline?.let { path ->
            File(path).writeText(Baseline.of(ScanReport(plan, hosts, stats!!)).toJson())
            err.println("kmap: baseline written to $path")
        }
        if (violations.isNotEmpty()) {
            violations.forEach { err.println("kmap: violated: ${it.message}") }
            err.println("kmap: ${violations.size} expectation${if (violations.size == 1) "" else "s"} violated")
            return Cli.EXIT_VIOLATED
        }
        return Cli.EXIT_OK
    }

    /** ` --store URL` when the scan was not recorded in the default store. */
    private fun storeArg(r: ScanRecording): String =
        if (r.url == StoreAccess.url(null)) "" else " --store ${Cli.commandLine(listOf(r.url)).removePrefix("kmap ")}"

    private companion object {
        const val FLUSH_NANOS = 200_000_000L
        const val PROGRESS_MILLIS = 500L
    }
}
