package dev.kmap.cli

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.scanFlow
import dev.kmap.report.ScanJob
import dev.kmap.report.ScanSink
import dev.kmap.report.format.ReportOptions
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.runBlocking
import java.io.BufferedWriter
import java.io.OutputStreamWriter
import java.io.PrintStream

/**
 * Runs one parsed command through the scan job every front end shares ([ScanJob]: outputs
 * opened and checked before the first packet, written as hosts finish, closed well-formed on
 * failure and Ctrl-C, expectations and baselines) and adds the CLI's own [sinks]: the terminal
 * report (unless an output already goes to stdout, as in nmap), the progress bar, warnings and
 * the test observer, the store's [recording]. Then it turns the outcome into messages and an
 * exit status. A resumed scan comes with its [source] (the stored hosts, then the engine
 * resumed from the stored checkpoint).
 */
internal class ScanRun(
    private val options: ScanOptions,
    version: String,
    commandLine: String,
    out: PrintStream,
    private val err: PrintStream,
    private val terminal: Boolean,
    private val control: ScanControl,
    private val engine: EngineConfig,
    private val observer: (ScanEvent) -> Unit,
    private val recording: ScanRecording? = null,
    private val source: (ScanPlan, EngineConfig) -> Flow<ScanEvent> = { p, e -> scanFlow(p, e) },
) {
    private val plan = options.plan
    private val report = ReportOptions(
        version = version, commandLine = commandLine, verbosity = options.verbosity, debugging = options.debugging,
        showReason = options.showReason, openOnly = options.openOnly, secretArguments = options.secretArguments,
    )
    private val stdout = BufferedWriter(OutputStreamWriter(out, Charsets.UTF_8))
    private val progress = if (terminal && !options.noProgress) ProgressBar(err, Terminal.columns()) else null

    /** The CLI's sinks besides the outputs, in the order they see each event. A new sink is one line here. */
    private fun sinks(): List<ScanSink> = buildList {
        add(ScanSink { e -> observer(e) })
        progress?.let { add(ProgressSink(it)) }
        add(WarningSink(err, progress))
        if (plan.serviceDetection?.trace == true) add(ServiceTraceSink(err, progress))
        if (plan.outputs.none { it.path == "-" }) add(TerminalSink(report, stdout, progress))
        recording?.let { add(it.recorder) }
    }

    fun execute(): Int {
        options.notes.forEach { err.println("kmap: warning: $it") }
        val scripts = if (plan.scripts.isEmpty()) null else ScriptSupport.stage(plan, Version.text, options.scriptTimeout)
        val config = engine.copy(control = control, progressIntervalMillis = if (progress != null) PROGRESS_MILLIS else 0)
            .let { c -> if (scripts == null) c else c.withStages(scripts) }
            // a recorded scan checkpoints often: a kill -9 loses at most about a second of it
            .let { c -> if (recording == null) c else c.copy(checkpointIntervalMillis = minOf(c.checkpointIntervalMillis, CHECKPOINT_MILLIS)) }
        val job = ScanJob(
            plan = plan,
            expectations = options.expectations ?: dev.kmap.dsl.Expectations.NONE,
            baseline = options.baseline,
            saveBaselineTo = options.saveBaseline,
            options = report,
            sinks = sinks(),
            inputs = listOfNotNull(options.expectFile?.let { "--expect" to it }, options.baselineFile?.let { "--baseline" to it }),
            stdout = stdout,
            source = source,
        )
        val outcome = try {
            runBlocking { job.run(config) }
        } finally {
            scripts?.let { ScriptSupport.close(it) } // ends the script worker JVM
            progress?.clear()
            stdout.flush()
            recording?.close()
        }
        if (outcome.interrupted) {
            val where = outcome.outputs.filter { it != "-" }.joinToString(", ")
            err.println("kmap: interrupted: partial results written" + if (where.isEmpty()) "" else " to $where")
            recording?.takeIf { it.complete }?.let { err.println("kmap: resume with: kmap --resume ${it.scanId}" + storeArg(it)) }
            return Cli.EXIT_INTERRUPTED
        }
        if (options.verbosity > 0) recording?.takeIf { it.complete }?.let { err.println("kmap: recorded as scan ${it.scanId} (kmap show ${it.scanId}" + storeArg(it) + ")") }
        outcome.baselineWritten?.let { err.println("kmap: baseline written to $it") }
        val violations = outcome.violations
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
        const val PROGRESS_MILLIS = 500L
        const val CHECKPOINT_MILLIS = 1_000L
    }
}
