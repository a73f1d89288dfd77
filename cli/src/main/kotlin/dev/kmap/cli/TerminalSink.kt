package dev.kmap.cli

import dev.kmap.engine.PortState
import dev.kmap.engine.ScanEvent
import dev.kmap.report.ScanSink
import dev.kmap.report.format.NormalFormat
import dev.kmap.report.format.ReportOptions
import java.io.Writer

/**
 * What the terminal shows when no output goes to stdout: nmap's interactive report as hosts
 * finish and, with `-v`, each open port as it is found. It clears the [progress] bar before
 * writing so the two never share a line.
 */
internal class TerminalSink(private val options: ReportOptions, private val out: Writer, private val progress: ProgressBar?) : ScanSink {
    private val format = NormalFormat(options, interactive = true)

    override fun event(event: ScanEvent) {
        when (event) {
            is ScanEvent.Started -> { format.start(event.plan, event.startedAtMillis, out); out.flush() }
            is ScanEvent.PortFound -> if (options.verbosity > 0 && event.result.state == PortState.OPEN) {
                progress?.clear()
                out.append("Discovered open port ${event.result.port}/${event.result.protocol.label} on ${event.host.address}\n").flush()
            }
            // a target that failed (unresolvable) was said on stderr already ([WarningSink]): not again here
            is ScanEvent.HostFinished -> if (event.result.error == null) { progress?.clear(); format.host(event.result, out); out.flush() }
            is ScanEvent.Finished -> { progress?.clear(); format.finish(event.stats, out); out.flush() }
            else -> Unit
        }
    }
}

/** The progress bar on a terminal's stderr, fed by the engine's progress events. */
internal class ProgressSink(private val bar: ProgressBar) : ScanSink {
    private var startedAt = 0L

    override fun event(event: ScanEvent) {
        when (event) {
            is ScanEvent.Started -> startedAt = event.startedAtMillis
            is ScanEvent.Progress -> bar.update(event, System.currentTimeMillis() - startedAt)
            is ScanEvent.HostFinished, is ScanEvent.Finished -> bar.clear()
            else -> Unit
        }
    }

    override fun close(started: Boolean) = bar.clear()
}

/** The engine's warnings (a fallback to another scan type), one line each on stderr. */
internal class WarningSink(private val err: java.io.PrintStream, private val progress: ProgressBar?) : ScanSink {
    override fun event(event: ScanEvent) {
        when (event) {
            is ScanEvent.Warning -> { progress?.clear(); err.println("kmap: warning: ${event.message}") }
            is ScanEvent.TargetError -> { progress?.clear(); err.println(event.message) }
            else -> Unit
        }
    }
}
