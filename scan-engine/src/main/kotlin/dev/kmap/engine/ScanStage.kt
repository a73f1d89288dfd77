package dev.kmap.engine

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan

/**
 * One step of the pipeline every host group runs through: name resolution, discovery, reverse
 * DNS and the port scan are stages; service detection, OS detection, traceroute and scripts plug
 * in as more. Register a stage in [EngineConfig.stages] (or ship a [StageProvider] on the class
 * path); [phase] places it, so adding a feature adds an entry, never a branch in the runner.
 *
 * A stage reads and adds to its group's results through [StageContext.hosts] ([StageHost.updatePort]
 * attaches service fields or script output to a port and reports it as a [ScanEvent.PortUpdated]
 * at once), emits events as it goes, sends probes through [StageContext.runProbes] (the scan's
 * timing and rate budget) and stops when [StageContext.isStopped] says so. A stage that runs a
 * plan field declares it in [runs]: the engine refuses plans that set a field no stage runs.
 *
 * Threading: [run] is called for one group at a time, on the engine's I/O dispatcher; it may
 * suspend, block (interruptibly) or start coroutines of its own. A failure fails the scan.
 *
 * ```kotlin
 * @OptIn(KmapExtensionPoint::class)
 * object BannerStage : ScanStage {
 *     override val name = "banner"
 *     override val phase = StagePhase.SERVICE_DETECTION
 *     override suspend fun run(context: StageContext) {
 *         for (host in context.hosts) for (port in host.ports.filter { it.state == PortState.OPEN }) {
 *             host.updatePort(port.protocol, port.port) { it.copy(service = grabBanner(host.address, it.port)) }
 *         }
 *     }
 * }
 * val report = scan(plan, EngineConfig().withStages(BannerStage))
 * ```
 */
@SubclassOptInRequired(KmapExtensionPoint::class)
public interface ScanStage {
    /** A short name for messages, e.g. `port-scan`. */
    public val name: String

    /** Where the stage runs. */
    public val phase: StagePhase

    /** The plan fields this stage runs (see [PlanField]); empty for stages that run always. */
    public val runs: Set<PlanField> get() = emptySet()

    /** Whether this stage has work in [plan]; stages that have none are left out of the pipeline. */
    public fun appliesTo(plan: ScanPlan): Boolean = runs.isEmpty() || runs.any { it.isSetIn(plan) }

    /** Runs on one host group. */
    public suspend fun run(context: StageContext)
}
