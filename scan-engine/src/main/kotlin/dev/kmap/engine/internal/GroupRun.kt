package dev.kmap.engine.internal

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.StageHost
import dev.kmap.engine.Verdict
import kotlinx.coroutines.runInterruptible

/**
 * One host group going through the stages: the hosts, whether the current stage is the last one
 * (then a host is reported as soon as the stage is done with it), and the pipeline's services.
 */
internal class GroupRun(
    private val pipeline: ScanPipeline,
    val hosts: List<GroupHost>,
) : StageHostOwner {
    val plan: ScanPlan get() = pipeline.plan
    val config: EngineConfig get() = pipeline.config
    val setup: ScanSetup get() = pipeline.setup
    override val lock: Any get() = pipeline.lock

    /** Set once down hosts are reported and up hosts started (before the port scan phase). */
    var promoted = false

    /** True while the last stage of the pipeline runs. */
    var lastStage = false

    fun liveHosts(): List<StageHost> = synchronized(lock) {
        hosts.filter { it.host != null && !it.finished && (!promoted || it.up) }.map { it.view(this) }
    }

    fun stopRequested(): Boolean = pipeline.stopRequested()

    override fun emit(event: ScanEvent) = pipeline.events.emit(event)

    override fun hostDone(h: GroupHost) {
        if (lastStage) pipeline.finish(h, if (h.up) HostStatus.UP else HostStatus.UNKNOWN)
    }

    val loops: LoopRunner get() = pipeline.loops

    fun tick(nowNanos: Long) = pipeline.tick(nowNanos, this)

    fun finish(h: GroupHost, status: HostStatus) = pipeline.finish(h, status)

    fun commitPorts(group: List<GroupHost>, ports: List<dev.kmap.engine.PortResult>, slots: IntArray, count: Int) =
        pipeline.commitPorts(this, group, ports, slots, count)

    suspend fun runProbes(
        module: ProbeModule,
        targets: List<StageHost>,
        ports: List<Int>,
        onResult: (StageHost, Int, Verdict, Long) -> Unit,
    ): Boolean {
        if (targets.isEmpty() || ports.isEmpty()) return true
        val listener = object : ProbeListener {
            override fun onReply(probe: dev.kmap.engine.Probe, verdict: Verdict, rttNanos: Long) = onResult(targets[probe.slot], probe.port, verdict, rttNanos)
            override fun onSilence(probe: dev.kmap.engine.Probe) = onResult(targets[probe.slot], probe.port, module.silence, -1)
            override fun isAbandoned(probe: dev.kmap.engine.Probe) = targets[probe.slot].isReported
            override fun tick(nowNanos: Long) = this@GroupRun.tick(nowNanos)
        }
        val size = targets.size.toLong() * ports.size
        return runInterruptible {
            loops.run(module, size, { listener }) { flat ->
                val slot = (flat / ports.size).toInt()
                val portIndex = (flat % ports.size).toInt()
                dev.kmap.engine.Probe(targets[slot].address, ports[portIndex], 0, slot, portIndex)
            }
        }
    }
}
