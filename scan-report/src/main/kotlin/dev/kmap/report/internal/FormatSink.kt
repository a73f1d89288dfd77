package dev.kmap.report.internal

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.OutputSpec
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanEvent
import dev.kmap.report.ScanSink
import dev.kmap.report.Violation
import dev.kmap.report.format.ReportFormats
import dev.kmap.report.format.ReportFormatter
import dev.kmap.report.format.ReportOptions
import java.io.Writer

/**
 * One report ([spec]) written by its formatter: to a file reserved at [open] (see [FileTarget]),
 * or to [stdout] for `-`. Streaming formats get each host as it finishes; the others
 * ([ReportFormats.streaming] false) get them all at the end. Files are flushed at most every
 * [FLUSH_NANOS], standard output at most every [STDOUT_FLUSH_NANOS] (a 65536-host sweep does
 * not flush 65536 times), and both whenever the job asks ([flush], every few tens of ms): a `tail -f` or a
 * pipe sees each host soon after it finished.
 */
@OptIn(InternalKmapApi::class)
internal class FormatSink(
    private val plan: ScanPlan,
    private val spec: OutputSpec,
    options: ReportOptions,
    private val stdout: Writer,
) : ScanSink {
    private val formatter: ReportFormatter = ReportFormats.create(spec.format, options)
    private val streaming = ReportFormats.streaming(spec.format)
    private val target = if (spec.path == "-") null else FileTarget(spec.path, spec.format.flag)
    private val held = ArrayList<HostResult>()
    private var out: Writer? = null
    private var throttle: FlushThrottle? = null

    override fun open() { target?.reserve() }

    override fun event(event: ScanEvent) {
        when (event) {
            is ScanEvent.Started -> {
                val w = target?.begin() ?: stdout
                out = w
                throttle = FlushThrottle(w, if (w === stdout) STDOUT_FLUSH_NANOS else FLUSH_NANOS)
                formatter.start(plan, event.startedAtMillis, w)
                throttle?.written(force = true)
            }
            is ScanEvent.HostFinished -> {
                val w = out ?: return
                if (!streaming) { held += event.result; return }
                formatter.host(event.result, w)
                throttle?.written()
            }
            is ScanEvent.Finished -> {
                val w = out ?: return
                held.forEach { formatter.host(it, w) }
                held.clear()
                formatter.finish(event.stats, w)
                throttle?.written(force = true)
            }
            else -> Unit
        }
    }

    override fun verdict(expectations: Expectations, violations: List<Violation>) {
        val w = out ?: return
        if (!streaming) { held.forEach { formatter.host(it, w) }; held.clear() }
        formatter.expectations(expectations, violations, w)
    }

    override fun close(started: Boolean) {
        val w = out
        when {
            w == null -> target?.abandon()
            w === stdout -> w.flush()
            else -> w.close()
        }
    }

    /** Flushes what a host left in the buffer (see [ReportPipeline.flushIdle]). */
    override fun flush() {
        runCatching { throttle?.flushPending() } // a writer already closed has nothing left to flush
    }

    private companion object {
        const val FLUSH_NANOS = 200_000_000L
        const val STDOUT_FLUSH_NANOS = 20_000_000L
    }
}
