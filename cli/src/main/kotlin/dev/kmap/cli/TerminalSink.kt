package dev.kmap.cli

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanEvent
import dev.kmap.report.ScanSink
import dev.kmap.report.format.NormalFormat
import dev.kmap.report.format.ReportOptions
import dev.kmap.report.internal.FlushThrottle
import java.io.Writer

/**
 * What the terminal shows when no output goes to stdout: nmap's interactive report as hosts
 * finish and, with `-v`, each open port as it is found. It clears the [progress] bar before
 * writing so the two never share a line, and then flushes each line at once (the bar is drawn on
 * stderr right after). Without a bar it flushes at most every [FLUSH_NANOS], and whatever waits
 * at the job's [flush]: a sweep's 65536 hosts are not 65536 writes.
 */
@OptIn(InternalKmapApi::class)
internal class TerminalSink(private val options: ReportOptions, private val out: Writer, private val progress: ProgressBar?) : ScanSink {
    private val format = NormalFormat(options, interactive = true)
    private val throttle = FlushThrottle(out, FLUSH_NANOS)

    /** After a host's or a port's lines: flush now when a bar is drawn (it is redrawn on stderr next), else soon. */
    private fun flushSoon() = throttle.written(force = progress != null)

    override fun flush() = throttle.flushPending()

    override fun event(event: ScanEvent) {
        when (event) {
            is ScanEvent.Started -> { format.start(event.plan, event.startedAtMillis, out); throttle.written(force = true) }
            is ScanEvent.PortFound -> if (options.verbosity > 0 && event.result.state == PortState.OPEN) {
                progress?.clear()
                out.append("Discovered open port ${event.result.port}/${event.result.protocol.label} on ${event.host.address}\n")
                flushSoon()
            }
            is ScanEvent.PortUpdated -> {
                val info = event.result.serviceInfo
                if (options.verbosity > 0 && info != null) {
                    progress?.clear()
                    val version = if (info.versionText.isEmpty()) "" else " (${info.versionText})"
                    out.append("Discovered ${info.displayName}$version on ${event.result.port}/${event.result.protocol.label} on ${event.host.address} " +
                        "in ${info.waitedMillis ?: 0} ms (probe ${info.probe ?: "none"})\n")
                    flushSoon()
                }
            }
            // a target that failed (unresolvable) was said on stderr already ([WarningSink]): not again here
            is ScanEvent.HostFinished -> if (event.result.error == null) { progress?.clear(); format.host(event.result, out); flushSoon() }
            is ScanEvent.Finished -> { progress?.clear(); format.finish(event.stats, out); throttle.written(force = true) }
            else -> Unit
        }
    }

    private companion object {
        const val FLUSH_NANOS = 20_000_000L
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

/** `--version-trace`: every service probe exchange of each port, on stderr, as the port is decided. */
internal class ServiceTraceSink(private val err: java.io.PrintStream, private val progress: ProgressBar?) : ScanSink {
    override fun event(event: ScanEvent) {
        if (event !is ScanEvent.PortUpdated) return
        val info = event.result.serviceInfo ?: return
        if (info.trace.isEmpty()) return
        progress?.clear()
        info.trace.forEach { err.println("kmap: service ${event.host.address}:${event.result.port}/${event.result.protocol.label}: $it") }
    }
}
