package dev.kmap.engine.internal.stages

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.ServiceNames
import dev.kmap.engine.PortResult
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ScanStage
import dev.kmap.engine.ScanUnavailableException
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import dev.kmap.engine.Verdict
import dev.kmap.engine.defaultTcpScanType
import dev.kmap.engine.internal.GroupHost
import dev.kmap.engine.internal.GroupRun
import dev.kmap.engine.internal.PreparedStage
import dev.kmap.engine.internal.ProbeListener
import dev.kmap.engine.internal.ScanSetup
import kotlinx.coroutines.runInterruptible

/**
 * The port scan: each scan type's module (looked up in the registry, with a stand-in and a
 * warning where the plan's module cannot run here) probes every port of the group's up hosts,
 * port-major (every host gets its next port before any gets two). Results are buffered per loop
 * and committed in batches, so parallel loops do not contend for the lock on every port.
 */
@OptIn(KmapExtensionPoint::class)
internal object PortScanStage : ScanStage, PreparedStage {
    override val name: String = "port-scan"
    override val phase: StagePhase = StagePhase.PORT_SCAN

    override fun appliesTo(plan: ScanPlan): Boolean = !plan.pingOnly && !plan.listOnly

    override fun prepare(setup: ScanSetup) {
        val plan = setup.plan
        if (!appliesTo(plan)) return
        val modules = setup.config.modules
        val types = plan.scanTypes.ifEmpty { listOf(defaultTcpScanType(modules)) }
        setup.portSteps = types.map { ScanSetup.PortStep(moduleFor(it, modules, setup.warnings), it.protocol, plan.ports[it.protocol]) }
            .filter { !it.ports.isEmpty() }
    }

    private fun moduleFor(type: ScanType, modules: List<ProbeModule>, warnings: MutableList<String>): ProbeModule {
        fun available(m: ProbeModule) = m.unavailableReason() == null
        val candidates = modules.filter { type in it.scanTypes }
        candidates.firstOrNull(::available)?.let { return it }
        val why = candidates.firstNotNullOfOrNull { it.unavailableReason() }
            ?: "no probe module implements it yet; the connect scan -sT works without privileges"
        modules.firstOrNull { type in it.standsInFor && available(it) }?.let { standIn ->
            warnings += "scan type ${type.flag} is unavailable ($why); running ${standIn.scanTypes.joinToString { it.flag }} instead"
            return standIn
        }
        throw ScanUnavailableException("scan type ${type.flag} is unavailable: $why")
    }

    override suspend fun run(context: StageContext) {
        val run = context.internalRun
        val steps = run.setup.portSteps
        val hosts = upHosts(run, steps)
        for (step in steps) {
            if (!scan(run, unfinished(hosts), step)) return
        }
    }

    // The passes over a group's hosts live in plain functions, not in the suspending run: C1 (the
    // only JIT compiler bin/kmap uses) cannot compile a coroutine body with a lock in it ("block
    // join failed"), which left these loops interpreted for the whole scan.

    /** The group's up hosts with their port counts set; those with nothing left to scan (resumed) are done. */
    private fun upHosts(run: GroupRun, steps: List<ScanSetup.PortStep>): List<GroupHost> {
        val hosts = synchronized(run.lock) {
            val up = run.hosts.filter { it.up && !it.finished }
            val total = steps.sumOf { it.ports.size }
            for (h in up) {
                h.totalPorts = total
                val skipped = h.resumedPorts?.let { r -> steps.sumOf { s -> s.ports.count { it in r[s.protocol] } } } ?: 0
                h.pending = total - skipped
            }
            up
        }
        for (h in hosts) if (h.pending == 0) run.hostDone(h)
        return hosts
    }

    private fun unfinished(hosts: List<GroupHost>): List<GroupHost> = hosts.filter { !it.finished }

    /** One loop's listener: results buffered, committed under the lock in batches. */
    private class Listener(private val run: GroupRun, private val hosts: List<GroupHost>, private val step: ScanSetup.PortStep) : ProbeListener {
        private val buffer = ArrayList<PortResult>(COMMIT_BATCH)
        private val slots = IntArray(COMMIT_BATCH)
        private var lastCommit = 0L

        override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) = add(probe, verdict, rttNanos)
        override fun onSilence(probe: Probe) = add(probe, step.module.silence, -1)
        override fun isAbandoned(probe: Probe) = hosts[probe.slot].finished

        private fun add(probe: Probe, verdict: Verdict, rttNanos: Long) {
            slots[buffer.size] = probe.slot
            buffer += PortResult(
                port = probe.port,
                protocol = step.protocol,
                state = verdict.state,
                reason = verdict.reason,
                service = ServiceNames.name(step.protocol, probe.port),
                rttMicros = if (rttNanos >= 0 && verdict.hostResponded) rttNanos / 1_000 else null,
            )
            if (buffer.size >= COMMIT_BATCH) drain()
        }

        override fun drain() {
            if (buffer.isEmpty()) return
            run.commitPorts(hosts, buffer, slots, buffer.size)
            buffer.clear()
        }

        override fun tick(nowNanos: Long) {
            if (nowNanos - lastCommit > COMMIT_NANOS) {
                lastCommit = nowNanos
                drain()
            }
            run.tick(nowNanos)
        }
    }

    private suspend fun scan(run: GroupRun, hosts: List<GroupHost>, step: ScanSetup.PortStep): Boolean {
        if (hosts.isEmpty()) return true
        val ports = step.ports
        val skip = hosts.any { it.resumedPorts != null }
        return runInterruptible {
            run.loops.run(step.module, ports.size.toLong() * hosts.size, { Listener(run, hosts, step) }) { flat ->
                val slot = (flat % hosts.size).toInt()
                val portIndex = (flat / hosts.size).toInt()
                val h = hosts[slot]
                when {
                    h.finished -> null
                    skip && h.resumedPorts?.get(step.protocol)?.contains(ports[portIndex]) == true -> null
                    else -> Probe(h.inet!!, ports[portIndex], 0, slot, portIndex, h.host!!.address)
                }
            }
        }
    }

    private const val COMMIT_BATCH = 256
    private const val COMMIT_NANOS = 5_000_000L
}
