package dev.kmap.passive

import dev.kmap.dsl.PassivePlan
import dev.kmap.dsl.PassiveSource
import dev.kmap.dsl.PortSet
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.Targets
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanReport
import dev.kmap.engine.ScanStats
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.withContext
import java.nio.file.Path

/**
 * Runs a passive [plan] and streams its events: flows starting, changing state and ending,
 * parser messages, neighbours and OS hints, then [PassiveEvent.Finished]. Files are read in
 * order; a live interface until [PassivePlan.durationMillis] passes or the collector cancels.
 * Reading runs on [Dispatchers.IO]; events wait for the collector (bounded memory).
 *
 * ```kotlin
 * passiveFlow(passive { read("capture.pcap") }).filterIsInstance<PassiveEvent.Message>().collect { println(it.message) }
 * ```
 */
public fun passiveFlow(plan: PassivePlan, parsers: PassiveParsers = PassiveParsers.DEFAULT): Flow<PassiveEvent> = flow {
    val pending = ArrayList<PassiveEvent>()
    val pipeline = PassivePipeline(plan.limits, parsers, osSignatures(plan), PassiveListener { pending += it })
    val ctx = currentCoroutineContext()
    PassiveRun(plan, pipeline) { ctx.ensureActive(); false }.run { for (e in pending) emit(e); pending.clear() }
    for (e in pending) emit(e)
}.flowOn(Dispatchers.IO)

/**
 * Runs a passive [plan] to its end and returns what it found in the scan result model.
 * [stop] is polled between batches of frames; when it says true the run ends early and the
 * report keeps everything found so far (`stats.interrupted`), as Ctrl-C does in `kmap passive`.
 *
 * ```kotlin
 * val r = passive(passive { read("capture.pcap") })
 * r.report.hosts.forEach { h -> println("${h.host} ${h.mac} ${h.ports.map { it.port }}") }
 * ```
 */
public suspend fun passive(
    plan: PassivePlan,
    parsers: PassiveParsers = PassiveParsers.DEFAULT,
    listener: PassiveListener? = null,
    stop: () -> Boolean = { false },
): PassiveReport = withContext(Dispatchers.IO) {
    val results = PassiveResults(plan.limits.maxFlows)
    val ctx = currentCoroutineContext()
    val pipeline = PassivePipeline(plan.limits, parsers, osSignatures(plan)) { e -> results.event(e); listener?.event(e) }
    val started = System.currentTimeMillis()
    val stats = PassiveRun(plan, pipeline) { ctx.ensureActive(); stop() }.run {}
    PassiveReport(report(results, stats, started, System.currentTimeMillis()), stats)
}

/** The scan report of a passive run: an empty scan plan (nothing was sent) and the hosts seen. */
internal fun report(results: PassiveResults, stats: CaptureStats, startedAt: Long, finishedAt: Long): ScanReport {
    val hosts = results.hosts()
    val up = hosts.count { it.status == HostStatus.UP }.toLong()
    return ScanReport(PASSIVE_PLAN, hosts, ScanStats(startedAt, finishedAt, up, 0, hosts.size.toLong(), 0, stats.interrupted))
}

/** The plan passive reports carry: no targets, no ports, no scan types. */
public val PASSIVE_PLAN: ScanPlan = ScanPlan(Targets(), PortSet())

internal fun osSignatures(plan: PassivePlan): OsSignatures = plan.osDatabase?.let { OsSignatures.read(Path.of(it)) } ?: OsSignatures.BUILT_IN

/**
 * Feeds a plan's sources through [pipeline]: files one after the other, or one interface until
 * the duration passes; [stop] is asked between batches. [afterBatch] runs after each batch
 * (the flow emits there). Returns the totals after [PassivePipeline.finish].
 */
internal class PassiveRun(private val plan: PassivePlan, private val pipeline: PassivePipeline, private val stop: () -> Boolean) {
    suspend fun run(afterBatch: suspend () -> Unit): CaptureStats {
        var truncated = false
        var interrupted = false
        var dropped = -1L
        val deadline = plan.durationMillis?.let { System.nanoTime() + it * 1_000_000 }
        loop@ for (source in plan.sources) {
            open(source).use { src ->
                while (true) {
                    if (stop()) { interrupted = true; break }
                    if (deadline != null && System.nanoTime() > deadline) break
                    val n = src.read(pipeline, BATCH)
                    afterBatch()
                    if (n < 0) break
                }
                if (src is CaptureFileSource && src.truncated) truncated = true
                if (src is LiveCaptureSource) dropped = src.dropped
            }
            if (interrupted) break@loop
        }
        val stats = pipeline.finish(interrupted, truncated, dropped)
        afterBatch()
        return stats
    }

    private fun open(source: PassiveSource): FrameSource = when (source) {
        is PassiveSource.File -> if (source.path == "-") CaptureFileSource(System.`in`, "standard input") else CaptureFileSource.open(Path.of(source.path))
        is PassiveSource.Interface -> LiveCaptureSource.open(source.name, source.filter, source.snapLength, source.promiscuous)
    }

    private companion object {
        const val BATCH = 256
    }
}
