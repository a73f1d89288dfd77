package dev.kmap.report

import dev.kmap.dsl.Expectation
import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.OutputSpec
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.TargetSpec
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanReport
import dev.kmap.engine.scanFlow
import dev.kmap.report.format.ReportOptions
import dev.kmap.report.internal.BaselineSink
import dev.kmap.report.internal.FormatSink
import dev.kmap.report.internal.HostCollector
import dev.kmap.report.internal.KmapVersion
import dev.kmap.report.internal.OutputPlan
import dev.kmap.report.internal.ReportPipeline
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.emitAll
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.launch
import java.io.OutputStreamWriter
import java.io.Writer

/**
 * One scan as every front end runs it, free of any front end: a [plan], the [expectations] to
 * check (with the [baseline] of `no-change-from-baseline`), the report files to write
 * ([outputs]; by default the plan's own), a baseline to save ([saveBaselineTo]), and the
 * front end's own [sinks] (a terminal report, a progress bar, a store). In goes the job, out
 * comes a [ScanOutcome]; the CLI, `kmap run` and `.scan.kts` `run(...)`, the Gradle plugin and
 * `Kmap.scan` are thin adapters around it, and [Problem.of] is their one way to word a failure.
 *
 * What it promises, whoever calls it:
 * - every output, and the baseline file, is checked and opened before the first packet:
 *   two outputs on one file (symlinks included), an output over a file the scan reads
 *   ([inputs], the plan's `-iL`/`--excludefile` files), two formats on standard output or an
 *   unwritable path raise [OutputException], and no existing file has been touched;
 * - a file is emptied only once the scan has started; a scan that never starts removes the
 *   files it created;
 * - each output is written as hosts finish and closed well-formed on success, on a failure
 *   midway and on cancellation (`interrupted` in its stats);
 * - expectations are checked when the scan completes; their verdict reaches every output
 *   (JUnit, SARIF) before it closes.
 *
 * [options] say how reports name kmap and the command ([ReportOptions.commandLine]); `-`
 * outputs go to [stdout] (standard output by default). With [strict], a target that could not
 * be scanned (an unresolvable name) also keeps the baseline from being written. The events come
 * from the engine's [scanFlow] of the plan (outputs left out); a [source] may put something in
 * front of it, as a resumed scan does (the stored hosts, then the engine resumed from its
 * checkpoint: `dev.kmap.store.resumeFlow`).
 *
 * ```kotlin
 * val outcome = ScanJob(
 *     plan = scan { targets("10.0.0.0/24"); ports("22,443"); connect(); output { sarif("scan.sarif") } },
 *     expectations = expectations { open(443); nothingElseOpen() },
 * ).runBlocking()
 * if (outcome.violations.isNotEmpty()) exitProcess(3)
 * ```
 */
public class ScanJob(
    public val plan: ScanPlan,
    public val expectations: Expectations = Expectations.NONE,
    public val baseline: Baseline? = null,
    public val saveBaselineTo: String? = null,
    public val outputs: List<OutputSpec> = plan.outputs,
    public val options: ReportOptions = ReportOptions(version = KmapVersion.text),
    public val sinks: List<ScanSink> = emptyList(),
    public val inputs: List<Pair<String, String>> = emptyList(),
    public val stdout: Writer? = null,
    public val strict: Boolean = false,
    public val tls: TlsCertificateReader = TlsCertificateReader.HANDSHAKE,
    public val source: (plan: ScanPlan, engine: EngineConfig) -> Flow<ScanEvent> = { p, e -> scanFlow(p, e) },
) {
    /**
     * Runs the scan on [engine] and returns its outcome. Throws what stops it (see [Problem]);
     * the outputs are closed well-formed either way.
     */
    public suspend fun run(engine: EngineConfig = EngineConfig()): ScanOutcome = run(engineEvents(engine))

    /**
     * [run] over [events] from a source other than the engine (`kmap passive`'s capture, a
     * replay), with the same promises: outputs checked and opened before [events] is collected,
     * closed well-formed on failure and cancellation. [events] starts with
     * [ScanEvent.Started] and ends with [ScanEvent.Finished].
     *
     * ```kotlin
     * ScanJob(plan, outputs = listOf(OutputSpec(OutputFormat.XML, "seen.xml"))).run(flowOf(started, host, finished))
     * ```
     */
    public suspend fun run(events: Flow<ScanEvent>): ScanOutcome {
        val parts = parts()
        events(parts, events).collect {}
        val stats = checkNotNull(parts.pipeline.stats) { "the scan ended without its Finished event" }
        return ScanOutcome(
            stats, parts.pipeline.violations, parts.pipeline.hostErrors.toList(), outputs.map { it.path },
            parts.baseline?.takeIf { it.written }?.path,
        )
    }

    /** [run], keeping every host: the whole [ScanReport] (for library calls; a big scan holds a lot). */
    public suspend fun report(engine: EngineConfig = EngineConfig()): ScanReport {
        val hosts = HostCollector()
        val outcome = ScanJob(plan, expectations, baseline, saveBaselineTo, outputs, options, sinks + hosts, inputs, stdout, strict, tls, source).run(engine)
        return ScanReport(plan, hosts.hosts, outcome.stats)
    }

    /** [run] for callers without coroutines (Java, Gradle workers): blocks the calling thread. */
    public fun runBlocking(engine: EngineConfig = EngineConfig()): ScanOutcome = kotlinx.coroutines.runBlocking { run(engine) }

    /**
     * The scan's events as they happen, with everything [run] does done on the way (outputs,
     * expectations, baseline): cold, so each collection runs the scan once; cancelling the
     * collector closes the outputs as an interrupted scan.
     */
    public fun flow(engine: EngineConfig = EngineConfig()): Flow<ScanEvent> = events(parts(), engineEvents(engine))

    private class Parts(val pipeline: ReportPipeline, val baseline: BaselineSink?)

    private fun parts(): Parts {
        if (baseline == null && expectations.rules.any { it is Expectation.NoChangeFromBaseline }) {
            throw InvalidSpecException("no-change-from-baseline needs a baseline, and none was given (write one first)")
        }
        val readFiles = plan.targets.includes.filterIsInstance<TargetSpec.File>().map { "-iL" to it.path } +
            plan.targets.excludes.filterIsInstance<TargetSpec.File>().map { "--excludefile" to it.path } + inputs
        OutputPlan.check(outputs, saveBaselineTo, readFiles)
        val out = stdout ?: OutputStreamWriter(System.out, Charsets.UTF_8)
        val baselineSink = saveBaselineTo?.let { BaselineSink(it, strict) }
        val all = outputs.map { FormatSink(plan, it, options, out) } + listOfNotNull(baselineSink) + sinks
        return Parts(ReportPipeline(plan, all, expectations, baseline, tls), baselineSink)
    }

    // the engine writes no files (it refuses plans with outputs): they are this job's
    private fun engineEvents(engine: EngineConfig): Flow<ScanEvent> = flow { emitAll(source(plan.copy(outputs = emptyList()), engine)) }

    private fun events(parts: Parts, events: Flow<ScanEvent>): Flow<ScanEvent> = flow {
        val pipeline = parts.pipeline
        pipeline.open()
        try {
            coroutineScope {
                // outputs flush at most every few ms while hosts stream; this flushes what waits when none does
                // (on the pipeline's lock, as every event: a sink gets one call at a time on any dispatcher)
                val flusher = launch {
                    while (true) {
                        delay(IDLE_FLUSH_MILLIS)
                        synchronized(pipeline) { pipeline.flushIdle() }
                    }
                }
                events.collect { engineEvent ->
                    val e = if (engineEvent is ScanEvent.Started) engineEvent.copy(plan = plan) else engineEvent
                    synchronized(pipeline) { pipeline.accept(e) }
                    emit(e)
                }
                flusher.cancel()
            }
        } finally {
            pipeline.close()
        }
    }
}

/** How long outputs may hold a written host while no event comes (see ReportPipeline.flushIdle). */
private const val IDLE_FLUSH_MILLIS = 50L
