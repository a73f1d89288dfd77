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
 * A part of a group ([part]: the hosts found up early, going on to the port scan while discovery
 * still waits for the others) runs the later stages on its own hosts; checkpoints, progress and
 * host timeouts always see the whole [group].
 */
internal class GroupRun(
    private val pipeline: ScanPipeline,
    val hosts: List<GroupHost>,
    private val whole: GroupRun? = null,
) : StageHostOwner {
    /** The whole host group this run is (a part of). */
    val group: GroupRun get() = whole ?: this

    /** A run of the later stages over [part] of this group's hosts (their stage views are made anew, owned by the part). */
    fun part(part: List<GroupHost>): GroupRun = GroupRun(pipeline, part, group).also { synchronized(lock) { part.forEach { h -> h.forgetView() } } }

    /** Set by the pipeline while discovery may hand on the hosts found up so far: called (on a loop thread) when discovery's first pass is over. */
    @Volatile var onFirstPassOver: (() -> Unit)? = null

    /** Set by the pipeline while discovery may hand on the hosts found up so far: called (on a loop thread, under [lock]) when discovery finds a host up. */
    @Volatile var onFoundUp: (() -> Unit)? = null

    val plan: ScanPlan get() = pipeline.plan
    val config: EngineConfig get() = pipeline.config
    val setup: ScanSetup get() = pipeline.setup
    override val lock: Any get() = pipeline.lock

    /** Set once down hosts are reported and up hosts started (before the port scan phase). */
    var promoted = false

    /** The earliest host deadline (`--host-timeout`) of this group's started hosts; none: MAX_VALUE. Under the pipeline's lock. */
    var earliestDeadlineNanos = Long.MAX_VALUE

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
                dev.kmap.engine.Probe(targets[slot].address, ports[portIndex], 0, slot, portIndex, targets[slot].host.address)
            }
        }
    }
}
