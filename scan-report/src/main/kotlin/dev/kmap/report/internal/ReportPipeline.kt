package dev.kmap.report.internal

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanReport
import dev.kmap.engine.ScanStats
import dev.kmap.report.Baseline
import dev.kmap.report.ScanSink
import dev.kmap.report.TlsCertificateReader
import dev.kmap.report.Violation
import dev.kmap.report.verify

/**
 * Drives [sinks] through the life [ScanSink] promises: [open] them all (closing the opened ones
 * if one refuses), [accept] each event (checking [expectations] when `Finished` arrives, before
 * the sinks see it), and [close]: a scan that started but never finished (a failure, a
 * cancellation) gets a `Finished` with `interrupted = true` first, so every document ends
 * well-formed. Hosts are kept only when expectations need the whole result.
 */
internal class ReportPipeline(
    private val plan: ScanPlan,
    private val sinks: List<ScanSink>,
    private val expectations: Expectations,
    private val baseline: Baseline?,
    private val tls: TlsCertificateReader,
) {
    private val hosts = ArrayList<HostResult>()
    private var started: ScanEvent.Started? = null
    private var up = 0L
    private var down = 0L
    private var closed = false

    /** The stats of `Finished`, the engine's or the one [close] made up; null before. */
    var stats: ScanStats? = null
        private set
    var violations: List<Violation> = emptyList()
        private set
    val hostErrors = ArrayList<String>()

    fun open() {
        val opened = ArrayList<ScanSink>(sinks.size)
        try {
            for (s in sinks) { s.open(); opened += s }
        } catch (e: Throwable) {
            closed = true
            opened.forEach { runCatching { it.close(started = false) } }
            throw e
        }
    }

    /** Has every sink write out what it holds buffered ([ScanSink.flush]); the job calls it every few tens of ms. */
    fun flushIdle() {
        if (closed) return
        for (s in sinks) s.flush()
    }

    fun accept(e: ScanEvent) {
        when (e) {
            is ScanEvent.Started -> started = e
            is ScanEvent.HostFinished -> {
                val h = e.result
                when {
                    h.error != null -> hostErrors += h.error!!
                    h.status == HostStatus.UP -> up++
                    h.status == HostStatus.DOWN -> down++
                    else -> Unit
                }
                if (!expectations.isEmpty()) hosts += h
            }
            is ScanEvent.Finished -> {
                stats = e.stats
                if (!expectations.isEmpty() && !e.stats.interrupted) {
                    violations = verify(ScanReport(plan, hosts, e.stats), expectations, baseline, tls)
                    sinks.forEach { it.verdict(expectations, violations) }
                }
            }
            else -> Unit
        }
        sinks.forEach { it.event(e) }
    }

    fun close() {
        if (closed) return
        closed = true
        val s = started
        if (s != null && stats == null) {
            val partial = ScanStats(s.startedAtMillis, System.currentTimeMillis(), up, down, s.targetCount, 0, interrupted = true)
            stats = partial
            sinks.forEach { sink -> runCatching { sink.event(ScanEvent.Finished(partial)) } }
        }
        sinks.forEach { runCatching { it.close(started = s != null) } }
    }
}
