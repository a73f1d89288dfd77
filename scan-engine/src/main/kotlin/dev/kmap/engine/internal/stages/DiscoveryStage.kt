package dev.kmap.engine.internal.stages

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.Probe
import dev.kmap.engine.ScanStage
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import dev.kmap.engine.Verdict
import dev.kmap.engine.internal.DiscoveryPlanner
import dev.kmap.engine.internal.GroupHost
import dev.kmap.engine.internal.GroupRun
import dev.kmap.engine.internal.PreparedStage
import dev.kmap.engine.internal.ProbeListener
import dev.kmap.engine.internal.ScanSetup
import dev.kmap.engine.internal.TargetLink
import kotlinx.coroutines.runInterruptible

/**
 * Host discovery: with `-Pn` every host is up (`user-set`); otherwise each probe of the
 * [DiscoveryPlanner] goes, in turn, to the hosts that get it and are not up yet. A host no probe
 * can be sent to (`-PR` to loopback or a routed target) stays unknown, and a warning says why.
 * When a probe's first pass is over (every host asked once, the first silence timed out) it tells
 * the pipeline ([GroupRun.onFirstPassOver]), which may start the port scan of the hosts up so far;
 * so it does for each host found up later ([GroupRun.onFoundUp]), which the pipeline hands on too.
 */
@OptIn(KmapExtensionPoint::class)
internal object DiscoveryStage : ScanStage, PreparedStage {
    override val name: String = "discovery"
    override val phase: StagePhase = StagePhase.DISCOVERY

    override fun appliesTo(plan: ScanPlan): Boolean = !plan.listOnly

    override fun prepare(setup: ScanSetup) {
        if (!setup.plan.discovery.skip && !setup.plan.listOnly) setup.discovery = DiscoveryPlanner.of(setup.plan, setup.config)
    }

    override suspend fun run(context: StageContext) {
        val run = context.internalRun
        val hosts = run.hosts.filter { it.host != null && !it.finished && !it.up }
        val planner = run.setup.discovery
        if (planner == null) {
            markUp(run, hosts)
            return
        }
        // per-host probe lists only when links matter (raw default discovery, -PR): a sweep without them keeps nothing per host
        val stepsOf = if (planner.needsLinks) HashMap<GroupHost, List<DiscoveryPlanner.Step>>(hosts.size * 2) else null
        val unaskable = ArrayList<Pair<GroupHost, TargetLink?>>()
        if (stepsOf != null) {
            for (h in hosts) {
                val link = planner.linkOf(h)
                val steps = planner.stepsFor(link)
                if (steps.isEmpty()) unaskable += h to link else stepsOf[h] = steps
            }
        }
        if (unaskable.isNotEmpty()) {
            markUnaskable(run, unaskable)
            val (first, link) = unaskable.first()
            val more = if (unaskable.size > 1) " (and ${unaskable.size - 1} more such hosts)" else ""
            context.warn(
                "ARP/NDP discovery (-PR) cannot ask ${first.host!!.address}: it is ${link?.why ?: "not on a local Ethernet link"}$more; " +
                    "its status is unknown (use -Pn, or an IP probe such as -PE or -PS)",
            )
        }
        for (step in planner.steps) {
            val candidates = hosts.filter { h -> !h.up && !h.unaskable && (stepsOf == null || stepsOf[h]?.contains(step) == true) }
            if (candidates.isNotEmpty() && !discover(run, candidates, step)) return
        }
    }

    // The locked passes over the hosts live in plain functions, not in the suspending run: C1
    // cannot compile a coroutine body with a lock in it ("block join failed"), which left run's
    // loops interpreted.

    /** -Pn: every host of the group is up. */
    private fun markUp(run: GroupRun, hosts: List<GroupHost>) = synchronized(run.lock) {
        for (h in hosts) { h.up = true; h.reason = "user-set" }
    }

    private fun markUnaskable(run: GroupRun, unaskable: List<Pair<GroupHost, TargetLink?>>) = synchronized(run.lock) {
        for ((h, _) in unaskable) { h.unaskable = true; h.reason = "no-ethernet-link" }
    }

    private suspend fun discover(run: GroupRun, candidates: List<GroupHost>, step: DiscoveryPlanner.Step): Boolean {
        val ports = step.ports
        if (ports.isEmpty()) return true
        val listener = object : ProbeListener {
            override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long): Unit = synchronized(run.lock) {
                val h = candidates[probe.slot]
                if (verdict.hostResponded && !h.up) {
                    h.up = true
                    h.latencyNanos = rttNanos
                    h.reason = verdict.reason
                    run.onFoundUp?.invoke()
                } else if (!h.up) {
                    h.reason = verdict.reason
                }
            }

            override fun onSilence(probe: Probe) {
                synchronized(run.lock) { candidates[probe.slot].let { if (!it.up && it.reason == null) it.reason = "no-response" } }
            }

            override fun isAbandoned(probe: Probe) = candidates[probe.slot].up
            override fun onFirstPassOver() { run.onFirstPassOver?.invoke() }
            override fun tick(nowNanos: Long) = run.tick(nowNanos)
        }
        // host-major order: all of a host's discovery probes go out together, as nmap's do
        return runInterruptible {
            run.loops.run(step.module, candidates.size.toLong() * ports.size, { listener }) { flat ->
                val slot = (flat / ports.size).toInt()
                val h = candidates[slot]
                if (h.up) null else Probe(h.inet!!, ports[(flat % ports.size).toInt()], 0, slot, (flat % ports.size).toInt(), h.host!!.address)
            }
        }
    }
}
