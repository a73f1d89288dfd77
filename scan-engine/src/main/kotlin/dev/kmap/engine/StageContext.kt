package dev.kmap.engine

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.internal.GroupRun

/**
 * What a [ScanStage] gets for one host group: the [plan], the engine's [config], the group's
 * [hosts], the event stream ([emit], [warn]), the scan's stop ([isStopped]) and its probe loops
 * ([runProbes]), which share the scan's timing limits and rate budget with every other stage.
 *
 * ```kotlin
 * override suspend fun run(context: StageContext) {
 *     for (h in context.hosts) {
 *         if (context.isStopped) return
 *         context.emit(ScanEvent.Warning("looking at ${h.host}"))
 *     }
 * }
 * ```
 */
public class StageContext internal constructor(internal val internalRun: GroupRun) {
    private val run: GroupRun get() = internalRun

    /** The plan being run. */
    public val plan: ScanPlan get() = run.plan

    /** The engine's configuration. */
    public val config: EngineConfig get() = run.config

    /**
     * The group's hosts that are still being scanned, in target order: before [StagePhase.PORT_SCAN]
     * every resolved host, from it on only the hosts found up. Hosts already reported (host timeout)
     * are left out.
     */
    public val hosts: List<StageHost> get() = run.liveHosts()

    /** True once the scan should stop (a [ScanControl.stop], a cancelled collector, a failed loop). */
    public val isStopped: Boolean get() = run.stopRequested()

    /** Reports [event] (events are delivered in order, in batches). */
    public fun emit(event: ScanEvent) {
        run.emit(event)
    }

    /** Reports a [ScanEvent.Warning]. */
    public fun warn(message: String) {
        run.emit(ScanEvent.Warning(message))
    }

    /**
     * Sends [module]'s probe to every port of [ports] on each of [hosts] (host-major: a host's
     * ports go out together) through the scan's probe loops, with its timing and rate limits, and
     * calls [onResult] once per probe with the module's verdict and the round trip in nanoseconds
     * (-1 and [ProbeModule.silence] when every attempt went unanswered). [onResult] runs on the
     * loops' threads, possibly on several at once: keep it short and thread-safe. Returns false
     * when the scan was stopped first.
     */
    public suspend fun runProbes(
        module: ProbeModule,
        hosts: List<StageHost>,
        ports: List<Int>,
        onResult: (host: StageHost, port: Int, verdict: Verdict, rttNanos: Long) -> Unit,
    ): Boolean = run.runProbes(module, hosts, ports, onResult)
}
