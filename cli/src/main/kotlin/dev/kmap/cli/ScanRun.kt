package dev.kmap.cli

import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.report.ScanJob
import dev.kmap.report.ScanSink
import dev.kmap.report.format.ReportOptions
import kotlinx.coroutines.runBlocking
import java.io.BufferedWriter
import java.io.OutputStreamWriter
import java.io.PrintStream

/**
 * Runs one parsed command through the scan job every front end shares ([ScanJob]: outputs
 * opened and checked before the first packet, written as hosts finish, closed well-formed on
 * failure and Ctrl-C, expectations and baselines) and adds the CLI's own [sinks]: the terminal
 * report (unless an output already goes to stdout, as in nmap), the progress bar, warnings and
 * the test observer. Then it turns the outcome into messages and an exit status.
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
) {
    private val plan = options.plan
    private val report = ReportOptions(
        version = version, commandLine = commandLine, verbosity = options.verbosity, debugging = options.debugging,
        showReason = options.showReason, openOnly = options.openOnly,
    )
    private val stdout = BufferedWriter(OutputStreamWriter(out, Charsets.UTF_8))
    private val progress = if (terminal && !options.noProgress) ProgressBar(err, Terminal.columns()) else null

    /** The CLI's sinks besides the outputs, in the order they see each event. A new sink is one line here. */
    private fun sinks(): List<ScanSink> = buildList {
        add(ScanSink { e -> observer(e) })
        progress?.let { add(ProgressSink(it)) }
        add(WarningSink(err, progress))
        if (plan.outputs.none { it.path == "-" }) add(TerminalSink(report, stdout, progress))
    }

    fun execute(): Int {
        val scripts = if (plan.scripts.isEmpty()) null else ScriptSupport.stage(plan, Version.text, options.scriptTimeout)
        val config = engine.copy(control = control, progressIntervalMillis = if (progress != null) PROGRESS_MILLIS else 0)
            .let { c -> if (scripts == null) c else c.withStages(scripts) }
        val job = ScanJob(
            plan = plan,
            expectations = options.expectations ?: dev.kmap.dsl.Expectations.NONE,
            baseline = options.baseline,
            saveBaselineTo = options.saveBaseline,
            options = report,
            sinks = sinks(),
            inputs = listOfNotNull(options.expectFile?.let { "--expect" to it }, options.baselineFile?.let { "--baseline" to it }),
            stdout = stdout,
        )
        val outcome = try {
            runBlocking { job.run(config) }
        } finally {
            progress?.clear()
            stdout.flush()
        }
        if (outcome.interrupted) {
            val where = outcome.outputs.filter { it != "-" }.joinToString(", ")
            err.println("kmap: interrupted: partial results written" + if (where.isEmpty()) "" else " to $where")
            return Cli.EXIT_INTERRUPTED
        }
        outcome.baselineWritten?.let { err.println("kmap: baseline written to $it") }
        val violations = outcome.violations
        if (violations.isNotEmpty()) {
            violations.forEach { err.println("kmap: violated: ${it.message}") }
            err.println("kmap: ${violations.size} expectation${if (violations.size == 1) "" else "s"} violated")
            return Cli.EXIT_VIOLATED
        }
        return Cli.EXIT_OK
    }

    private companion object {
        const val PROGRESS_MILLIS = 500L
    }
}
