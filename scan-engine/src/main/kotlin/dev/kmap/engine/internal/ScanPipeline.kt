package dev.kmap.engine.internal

import dev.kmap.dsl.PortList
import dev.kmap.dsl.PortSet
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ServiceNames
import dev.kmap.dsl.TargetCursor
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostCheckpoint
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanCheckpoint
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanStage
import dev.kmap.engine.ScanStats
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import dev.kmap.engine.internal.stages.DiscoveryStage
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import java.util.concurrent.atomic.AtomicBoolean

/**
 * Runs a plan: expands the targets lazily into host groups ([Grouping]) and runs each group through
 * the stages ([StageSelection]) in phase order; between the discovery phases and the port scan it
 * reports the hosts found down and starts the others; it reports each host when the last stage is
 * done with it, checkpoints after each group (and now and then within one), and the totals at the
 * end. Probes go through one [LoopRunner] (the scan's timing limits and sessions), events through
 * one [EventBatcher], progress through [ProgressReporter].
 * Memory: one group of hosts (and its results) at a time, plus probes in flight.
 * Threading: [run] runs on one coroutine; loop threads share host state only under [lock].
 */
internal class ScanPipeline(
    val plan: ScanPlan,
    val config: EngineConfig,
    sink: (List<ScanEvent>) -> Unit,
) {
    val lock = Any()
    private val clock = config.clock
    val events = EventBatcher(sink, clock)
    private val startMillis = System.currentTimeMillis()
    private val startNanos = clock()
    val setup = ScanSetup(plan, config)
    val loops = LoopRunner(plan.timing, clock, ::stopRequested)
    private var hostsUp = 0L
    private var hostsDown = 0L
    private var hostsDone = 0L
    private var hostsTotal = 0L
    private var lastTimeoutCheck = startNanos
    private var lastCheckpointNanos = startNanos
    private var current: GroupRun? = null
    @Volatile private var prewarm: (() -> Unit)? = null // see prewarmPortScan
    private val progress = ProgressReporter(config.progressIntervalMillis, startNanos) { now -> synchronized(lock) { progressSnapshot(now) } }

    private fun progressSnapshot(now: Long): ProgressReporter.Snapshot {
        val inGroup = current?.hosts?.sumOf { h ->
            if (h.finished || h.totalPorts <= 0) 0.0 else 1.0 - h.pending.toDouble() / h.totalPorts
        } ?: 0.0
        return ProgressReporter.Snapshot(hostsDone, hostsTotal, inGroup, loops.probesSent, now)
    }

    fun stopRequested(): Boolean = config.control.isStopped || Thread.currentThread().isInterrupted

    suspend fun run(): ScanStats {
        val stages = StageSelection.select(plan, config)
        return try {
            runScan(stages)
        } finally {
            loops.close()
            // stages a StageProvider made for this scan are the scan's to close (registered ones are the caller's)
            stages.filter { s -> s is AutoCloseable && config.stages.none { it === s } }.forEach { runCatching { (it as AutoCloseable).close() } }
        }
    }

    private suspend fun runScan(stages: List<ScanStage>): ScanStats {
        // every port result names its service: decode that table while the scan sets up, not in the probe loop
        Thread({ ServiceNames.name(Protocol.TCP, 80) }, "kmap-services").apply { isDaemon = true }.start()
        stages.forEach { (it as? PreparedStage)?.prepare(setup) }
        val expansion = plan.targets.expand(config.readLines)
        val resume = config.resume?.checkpoint
        hostsTotal = expansion.indexSize
        events.emit(ScanEvent.Started(plan, startMillis, expansion.indexSize))
        setup.warnings.forEach { events.emit(ScanEvent.Warning(it)) }
        events.flush() // sinks open their outputs on Started: hand it over now, not with the first full batch
        val grouping = Grouping(Grouping.size(setup.portsPerHost), resume, config.resume?.decidedPorts.orEmpty()) { synchronized(lock) { hostsDone++ } }
        val cursor: TargetCursor = expansion.cursor(resume?.position ?: 0)
        var interrupted = false
        while (cursor.hasNext()) {
            if (stopRequested()) { interrupted = true; break }
            val group = grouping.next(cursor)
            if (group.isEmpty()) continue
            val run = GroupRun(this, group)
            val completed = runGroup(run, stages)
            if (!completed) { interrupted = true; break }
            // the last group needs none: Finished says the scan is complete
            if (cursor.hasNext()) checkpoint(ScanCheckpoint(cursor.position + 1))
            events.flush()
        }
        val loss = loops.lossStats()
        val stats = ScanStats(
            startMillis, System.currentTimeMillis(), hostsUp, hostsDown, hostsTotal, loops.probesSent, interrupted,
            loss.unanswered, loss.reprobes, loss.reprobesAnswered, loss.rateLowered,
        )
        events.emit(ScanEvent.Finished(stats))
        events.flush()
        return stats
    }

    /** Returns false when the scan was stopped. */
    private suspend fun runGroup(run: GroupRun, stages: List<ScanStage>): Boolean {
        current = run
        try {
            started(run)
            val split = overlapAt(stages)
            if (split < 0) {
                if (!runStages(run, stages)) return false
            } else {
                if (!runStages(run, stages.subList(0, split), last = false)) return false
                if (!runOverlapped(run, stages[split], stages.subList(split + 1, stages.size))) return false
            }
            // a ping scan has no port-scan phase: its up hosts still start (HostStarted) before they finish
            if (!run.promoted && !plan.listOnly) promote(run)
            finishRest(run)
            return true
        } finally {
            current = null
        }
    }

    // runGroup's passes over the group's hosts are plain functions: C1 (bin/kmap's only JIT
    // compiler) cannot compile a coroutine body with a lock in it ("block join failed").

    private fun started(run: GroupRun) {
        val nowMillis = System.currentTimeMillis()
        for (h in run.hosts) h.startedMillis = nowMillis
    }

    /** Every host of [run] not finished yet, finished with its status. */
    private fun finishRest(run: GroupRun) = synchronized(lock) {
        for (h in run.hosts) {
            if (h.finished) continue
            finish(h, when {
                h.up -> HostStatus.UP
                plan.listOnly || h.unaskable -> HostStatus.UNKNOWN
                else -> HostStatus.DOWN
            })
        }
    }

    /** Runs [stages] in order over [run]; [last]: the final one is the pipeline's last. Returns false when the scan was stopped. */
    private suspend fun runStages(run: GroupRun, stages: List<ScanStage>, last: Boolean = true): Boolean {
        for ((i, stage) in stages.withIndex()) {
            if (stopRequested()) return stopped(run)
            if (!run.promoted && stage.phase >= StagePhase.PORT_SCAN) promote(run)
            run.lastStage = last && i == stages.lastIndex
            stage.run(StageContext(run))
            if (stopRequested()) return stopped(run)
        }
        return true
    }

    /**
     * Where the port scan may overlap discovery: the index of the built-in discovery stage when
     * it asks anything (not -Pn), only later phases follow it, and one of them scans ports; else -1.
     * Never under limits for the scan as a whole that two runs at once would break (--max-parallelism,
     * the serial cap of -T0..-T2, a scan delay, --max-rate): [LoopShares] splits those within one run only.
     */
    private fun overlapAt(stages: List<ScanStage>): Int {
        val t = plan.timing
        if (t.effectiveMaxParallelism != null || t.effectiveScanDelayMillis > 0 || t.maxRate != null) return -1
        val d = stages.indexOf(DiscoveryStage)
        if (d < 0 || setup.discovery == null) return -1
        val after = stages.subList(d + 1, stages.size)
        return if (after.all { it.phase > StagePhase.DISCOVERY } && after.any { it.phase >= StagePhase.PORT_SCAN }) d else -1
    }

    /**
     * Discovery and the later stages, overlapped (nmap runs them one after the other): discovery
     * runs on its own thread; once its first pass is over (every host asked once, and answers
     * stopped or the first silence timed out), the hosts up by then go on through the later
     * stages while discovery waits for and retries the silent ones. Each host discovery finds up
     * after that (answering a retransmission) goes on too, in waves: the hosts found up while a
     * wave runs form the next one, started when it ends, while discovery still waits for the
     * absent addresses. One wave at a time, so the port scan has one run in flight beside
     * discovery's, as before. When discovery ends, the rest of the group (found up after its last
     * wave began, or down) follows. Results are the same as one after the other: only when a
     * host's port scan starts changes (and with it when the host is reported).
     */
    private suspend fun runOverlapped(run: GroupRun, discovery: ScanStage, after: List<ScanStage>): Boolean = coroutineScope {
        prewarm = prewarmPortScan(run)
        val news = Channel<Unit>(Channel.CONFLATED) // first pass over, a host found up after it, or discovery done
        val passOver = AtomicBoolean(false)
        val done = AtomicBoolean(false) // set before the last signal (the Deferred completes only after it: no test of it here)
        run.onFirstPassOver = { passOver.set(true); news.trySend(Unit) }
        run.onFoundUp = { if (passOver.get()) news.trySend(Unit) }
        val found = async(Dispatchers.IO) {
            try { discovery.run(StageContext(run)) } finally { done.set(true); passOver.set(true); news.trySend(Unit) }
        }
        val handed = HashSet<GroupHost>() // hosts a wave took: at most the group
        while (true) {
            news.receive()
            if (done.get() || stopRequested()) break
            val wave = synchronized(lock) { run.hosts.filter { it.up && !it.finished && it !in handed } }
            if (wave.isEmpty()) continue
            handed += wave
            if (!runStages(run.part(wave), after)) {
                run.onFoundUp = null
                found.await()
                return@coroutineScope false
            }
        }
        found.await()
        run.onFirstPassOver = null
        run.onFoundUp = null
        if (stopRequested()) return@coroutineScope stopped(run)
        val rest = if (handed.isEmpty()) run else run.part(run.hosts.filter { it !in handed })
        val completed = runStages(rest, after)
        run.promoted = true // every part was
        completed
    }

    /**
     * What opens the port scan's session (its capture handle and filter, for a raw scan) while
     * discovery runs, along the route of the group's first host, so that the first port probe
     * goes out as soon as discovery's first pass is over. [tick] runs it once discovery sends (its
     * own capture handle is open by then: the two openings do not compete for the start).
     */
    private fun prewarmPortScan(run: GroupRun): (() -> Unit)? {
        val module = setup.portSteps.firstOrNull()?.module ?: return null
        val destination = run.hosts.firstOrNull { it.host != null && !it.finished }?.host?.address ?: return null
        return { loops.prewarm(module) { session -> (session as? RawSession<*>)?.prepare(destination) } }
    }

    /** Reports the hosts found down; up hosts start their port scan. */
    private fun promote(run: GroupRun) = synchronized(lock) {
        run.promoted = true
        val hostTimeout = plan.timing.effectiveHostTimeoutMillis
        val now = clock()
        for (h in run.hosts) promote(run, h, hostTimeout, now)
    }

    // per host, a method of its own: compiled after a few hundred hosts, not interpreted until the
    // loop over a group's thousands has counted enough turns
    private fun promote(run: GroupRun, h: GroupHost, hostTimeout: Long, now: Long) {
        if (h.finished) return
        if (!h.up) {
            finish(h, if (h.unaskable) HostStatus.UNKNOWN else HostStatus.DOWN)
            return
        }
        if (hostTimeout > 0) {
            h.deadlineNanos = now + hostTimeout * 1_000_000
            run.group.earliestDeadlineNanos = minOf(run.group.earliestDeadlineNanos, h.deadlineNanos)
        }
        events.emit(ScanEvent.HostStarted(h.host!!))
    }

    /** The scan stopped within [run]: a last checkpoint, then every host with what was found. */
    private fun stopped(part: GroupRun): Boolean {
        val run = part.group
        synchronized(lock) {
            checkpoint(midGroupCheckpoint(run))
            for (h in run.hosts) if (!h.finished && h.host != null) finish(h, if (h.up) HostStatus.UP else HostStatus.UNKNOWN)
        }
        events.flush()
        return false
    }

    fun finish(h: GroupHost, status: HostStatus): Unit = synchronized(lock) {
        if (h.finished) return
        h.finished = true
        hostsDone++
        when (status) {
            HostStatus.UP -> hostsUp++
            HostStatus.DOWN -> hostsDown++
            HostStatus.UNKNOWN -> Unit
        }
        events.emit(ScanEvent.HostFinished(h.toResult(status, System.currentTimeMillis())))
        h.release()
    }

    /** Commits decided ports of a group's hosts (from a loop's buffer): reports each, and a host whose last port it was. */
    fun commitPorts(run: GroupRun, hosts: List<GroupHost>, ports: List<PortResult>, slots: IntArray, count: Int) = synchronized(lock) {
        for (i in 0 until count) commitPort(run, hosts[slots[i]], ports[i])
    }

    /** One port of [commitPorts] (per port, a method of its own: see [promote]). */
    private fun commitPort(run: GroupRun, h: GroupHost, result: PortResult) {
        if (h.finished) return
        val rtt = result.rttMicros
        if (rtt != null && (h.latencyNanos < 0 || rtt * 1_000 < h.latencyNanos)) h.latencyNanos = rtt * 1_000
        h.addPort(result)
        events.emit(ScanEvent.PortFound(h.host!!, result))
        if (--h.pending == 0) run.hostDone(h)
    }

    /** Called once per loop turn: batches, progress, host timeouts, checkpoints. */
    fun tick(nowNanos: Long, part: GroupRun) {
        val run = part.group
        if (prewarm != null) synchronized(lock) { prewarm.also { prewarm = null } }?.invoke()
        events.flushIfDue(nowNanos)
        progress.tick(nowNanos)?.let { events.emit(it) }
        if (nowNanos - lastTimeoutCheck > TIMEOUT_CHECK_NANOS) synchronized(lock) {
            lastTimeoutCheck = nowNanos
            // deadlines are set when hosts start their port scan (promote); a part's loop checks the whole group
            // a sweep's group holds thousands of hosts: walk them only once the earliest deadline passed
            if (part.promoted && nowNanos > run.earliestDeadlineNanos) {
                var earliest = Long.MAX_VALUE
                for (h in run.hosts) {
                    if (h.finished || !h.up) continue
                    if (nowNanos > h.deadlineNanos) {
                        h.timedOut = true
                        finish(h, HostStatus.UP)
                    } else {
                        earliest = minOf(earliest, h.deadlineNanos)
                    }
                }
                run.earliestDeadlineNanos = earliest
            }
        }
        val interval = config.checkpointIntervalMillis * 1_000_000
        if (interval > 0 && nowNanos - lastCheckpointNanos > interval) synchronized(lock) {
            if (nowNanos - lastCheckpointNanos > interval) checkpoint(midGroupCheckpoint(run))
        }
    }

    private fun checkpoint(c: ScanCheckpoint) {
        lastCheckpointNanos = clock()
        events.emit(ScanEvent.Checkpoint(c))
    }

    /** Hosts of [run] that reported anything; everything before the group's first position is done. */
    private fun midGroupCheckpoint(run: GroupRun): ScanCheckpoint = synchronized(lock) {
        val hosts = ArrayList<HostCheckpoint>()
        for (h in run.hosts) {
            val host = h.host ?: continue
            if (h.finished) {
                hosts += HostCheckpoint(h.position, host, finished = true)
            } else if (h.up && (h.ports.isNotEmpty() || h.resumedPorts != null)) {
                hosts += HostCheckpoint(h.position, host, finished = false, reason = h.reason, decided = decided(h))
            }
        }
        ScanCheckpoint(run.hosts.first().position, hosts)
    }

    private fun decided(h: GroupHost): PortSet {
        val tcp = ArrayList<Int>()
        val udp = ArrayList<Int>()
        for (p in h.ports) (if (p.protocol == Protocol.TCP) tcp else udp) += p.port
        val earlier = h.resumedPorts ?: PortSet()
        return PortSet(earlier.tcp + PortList.of(*tcp.toIntArray()), earlier.udp + PortList.of(*udp.toIntArray()))
    }

    private companion object {
        const val TIMEOUT_CHECK_NANOS = 10_000_000L
    }
}
