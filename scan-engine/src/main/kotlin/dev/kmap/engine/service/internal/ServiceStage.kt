package dev.kmap.engine.service.internal

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.engine.PlanField
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStage
import dev.kmap.engine.StageContext
import dev.kmap.engine.StageHost
import dev.kmap.engine.StagePhase
import dev.kmap.engine.internal.PreparedStage
import dev.kmap.engine.internal.ScanSetup
import dev.kmap.engine.service.ServiceDatabase
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch

/**
 * Service detection (`-sV`), the built-in stage of [StagePhase.SERVICE_DETECTION]: the probe
 * database is read once before the first event ([prepare]: a bad `--service-db` file fails the
 * scan before a packet is sent); then for each host group, every up host with open ports goes to
 * the [ServiceScanner] at once (hosts and ports in parallel within the scan's [ServiceBudget]).
 * Each decided port is written with [StageHost.updatePort] (a `PortUpdated` event at once, and
 * what the scripts stage after this one reads); a host is [StageHost.done] when its last port is,
 * so without scripts it is reported right away. A host reported meanwhile (`--host-timeout`) or a
 * stopped scan ends its probes; the engine's tick runs meanwhile (timeouts, progress, batches).
 */
@OptIn(KmapExtensionPoint::class)
internal object ServiceStage : ScanStage, PreparedStage {
    override val name: String = "service-detection"
    override val phase: StagePhase = StagePhase.SERVICE_DETECTION
    override val runs: Set<PlanField> = setOf(PlanField.SERVICE_DETECTION)

    override fun prepare(setup: ScanSetup) {
        val detection = setup.plan.serviceDetection ?: return
        setup.services = ServiceDatabase.forDetection(detection)
    }

    override suspend fun run(context: StageContext) {
        val run = context.internalRun
        val plan = context.plan
        val detection = plan.serviceDetection ?: return
        val db = run.setup.services ?: ServiceDatabase.forDetection(detection)
        val settings = ServiceScanner.settingsFor(plan.timing)
        val budget = ServiceBudget(settings.connections, plan.timing.maxRate) { run.loops.countSent(it) }
        val scanner = ServiceScanner(db, detection, plan.timing, Dispatchers.IO.limitedParallelism(budget.parallel + 4), budget) { context.isStopped }
        coroutineScope {
            val ticker = launch {
                while (isActive) {
                    run.tick(run.config.clock())
                    delay(TICK_MILLIS)
                }
            }
            context.hosts.map { host ->
                launch {
                    val snapshot = host.snapshot()
                    if (snapshot.ports.none { it.state == PortState.OPEN || it.state == PortState.OPEN_FILTERED }) { host.done(); return@launch }
                    val done = scanner.detect(snapshot, abandoned = { host.isReported }) { port ->
                        host.updatePort(port.protocol, port.port) { it.copy(state = port.state, reason = port.reason, service = port.service, serviceInfo = port.serviceInfo) }
                    }
                    if (done.ports.any { it.serviceInfo?.tarpit == true }) {
                        context.warn("${snapshot.host.address} looks like a tarpit: its ports accept connections and never answer; service detection stopped waiting on them")
                    }
                    host.done()
                }
            }.forEach { it.join() }
            ticker.cancel()
        }
    }

    private const val TICK_MILLIS = 20L
}
