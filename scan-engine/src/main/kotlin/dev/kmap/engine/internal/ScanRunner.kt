package dev.kmap.engine.internal

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.ServiceNames
import dev.kmap.dsl.TargetHost
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PORT_ORDER
import dev.kmap.engine.PortResult
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanStats
import dev.kmap.engine.ScanUnavailableException
import dev.kmap.engine.defaultTcpScanType
import dev.kmap.engine.Verdict
import java.net.InetAddress
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/**
 * Runs a plan on the calling thread: expands targets lazily into host groups; per group resolves
 * names, runs discovery, then each port scan step through [ProbeLoop]s (several at once, on
 * disjoint shares of the probes, where the module allows); reports through [sink] in batches.
 * Memory: one group of hosts (and its results) at a time, plus probes in flight.
 * Threading: [run] is called on one thread; loop threads share state only under [lock].
 */
internal class ScanRunner(
    private val plan: ScanPlan,
    private val config: EngineConfig,
    private val sink: (List<ScanEvent>) -> Unit,
) {
    private class Step(val module: ProbeModule, val protocol: Protocol, val ports: PortList)
    private class DiscoveryStep(val module: ProbeModule, val ports: List<Int>)

    private class GroupHost(val host: Host, val inet: InetAddress) {
        var up = false
        var reason: String? = null
        var latencyNanos = -1L
        val results = ArrayList<PortResult>()
        var pending = 0
        var totalPorts = 0
        var startedMillis = 0L
        var deadlineNanos = Long.MAX_VALUE
        var timedOut = false
        var finished = false
        var reverseName: String? = null
    }

    private val clock = config.clock
    private val control = config.control
    private val startMillis = System.currentTimeMillis()
    private val startNanos = clock()
    private var probesSent = 0L
    private var probesUnanswered = 0L
    private var reprobes = 0L
    private var reprobesAnswered = 0L
    private var rateLowered = false
    private var hostsUp = 0L
    private var hostsDown = 0L
    private var hostsDone = 0L
    private var hostsTotal = 0L
    private var lastProgressNanos = startNanos
    private var lastProgressProbes = 0L
    private var lastTimeoutCheck = startNanos
    private var currentGroup: List<GroupHost> = emptyList()
    private val runningTimings = ArrayList<TimingController>()
    private val lock = Any()
    private var batch = ArrayList<ScanEvent>(BATCH)
    private var lastFlushNanos = startNanos

    private fun emit(event: ScanEvent) = synchronized(lock) {
        batch += event
        if (batch.size >= BATCH) flush()
    }

    private fun flush() {
        synchronized(lock) {
            lastFlushNanos = clock()
            if (batch.isEmpty()) return
            val full = batch
            batch = ArrayList(BATCH)
            sink(full)
        }
    }

    fun run(): ScanStats = try {
        runScan()
    } finally {
        closeSessions()
    }

    private fun runScan(): ScanStats {
        // every port result names its service: decode that table while the scan sets up, not in the probe loop
        Thread({ ServiceNames.name(Protocol.TCP, 80) }, "kmap-services").apply { isDaemon = true }.start()
        val steps = scanSteps()
        val discovery = if (plan.discovery.skip) emptyList() else discoverySteps()
        val expansion = plan.targets.expand(config.readLines)
        hostsTotal = expansion.indexSize
        emit(ScanEvent.Started(plan, startMillis, expansion.indexSize))
        warnings.forEach { emit(ScanEvent.Warning(it)) }
        val groupSize = groupSize(steps)
        val targets = expansion.iterator()
        var interrupted = false
        while (targets.hasNext()) {
            if (stopRequested()) { interrupted = true; break }
            val group = nextGroup(targets, groupSize)
            val completed = scanGroup(group, discovery, steps)
            flush()
            if (!completed) { interrupted = true; break }
        }
        val stats = ScanStats(
            startMillis, System.currentTimeMillis(), hostsUp, hostsDown, hostsTotal, probesSent, interrupted,
            probesUnanswered, reprobes, reprobesAnswered, rateLowered,
        )
        emit(ScanEvent.Finished(stats))
        flush()
        return stats
    }

    @Volatile
    private var aborted = false

    private fun stopRequested() = control.isStopped || aborted || Thread.currentThread().isInterrupted

    // --- plan -> steps (modules are looked up in the registry; the engine knows no scan kinds) ---

    private fun available(m: ProbeModule) = m.unavailableReason() == null

    private val warnings = ArrayList<String>()

    private fun moduleFor(type: ScanType): ProbeModule {
        val candidates = config.modules.filter { type in it.scanTypes }
        candidates.firstOrNull(::available)?.let { return it }
        val why = candidates.firstNotNullOfOrNull { it.unavailableReason() }
            ?: "no probe module implements it yet; the connect scan -sT works without privileges"
        config.modules.firstOrNull { type in it.standsInFor && available(it) }?.let { standIn ->
            warnings += "scan type ${type.flag} is unavailable ($why); running ${standIn.scanTypes.joinToString { it.flag }} instead"
            return standIn
        }
        throw ScanUnavailableException("scan type ${type.flag} is unavailable: $why")
    }

    private fun scanSteps(): List<Step> {
        if (plan.pingOnly) return emptyList()
        val types = plan.scanTypes.ifEmpty {
            listOf(defaultTcpScanType(config.modules))
        }
        return types.map { Step(moduleFor(it), it.protocol, plan.ports[it.protocol]) }.filter { !it.ports.isEmpty() }
    }

    private fun discoverySteps(): List<DiscoveryStep> {
        val probes = plan.discovery.probes.ifEmpty { defaultDiscovery() }
        return probes.map { probe ->
            val candidates = config.modules.filter { probe::class in it.discoveryProbes }
            val module = candidates.firstOrNull(::available) ?: throw ScanUnavailableException(
                "discovery probe ${probe.javaClass.simpleName} is unavailable: " +
                    (candidates.firstNotNullOfOrNull { it.unavailableReason() } ?: "no probe module implements it yet") +
                    " (use -Pn to skip discovery)",
            )
            DiscoveryStep(module, module.discoveryPorts(probe))
        }
    }

    private fun defaultDiscovery(): List<DiscoveryProbe> {
        val raw = listOf(DiscoveryProbe.IcmpEcho, DiscoveryProbe.TcpSyn(listOf(443)), DiscoveryProbe.TcpAck(listOf(80)), DiscoveryProbe.IcmpTimestamp)
        val rawAvailable = raw.all { p -> config.modules.any { p::class in it.discoveryProbes && available(it) } }
        return if (rawAvailable) raw else listOf(DiscoveryProbe.TcpConnect(listOf(80, 443)))
    }

    private fun groupSize(steps: List<Step>): Int {
        val portsPerHost = steps.sumOf { it.ports.size }.coerceAtLeast(1)
        return (MAX_PROBES_PER_GROUP / portsPerHost).coerceIn(1, MAX_GROUP)
    }

    // --- groups ---

    private fun nextGroup(targets: Iterator<TargetHost>, size: Int): List<GroupHost> {
        val items = ArrayList<TargetHost>(minOf(size, 1024))
        while (items.size < size && targets.hasNext()) items += targets.next()
        val names = items.filterIsInstance<TargetHost.Name>().map { it.name }.distinct()
        val resolved = resolveAll(names)
        val group = ArrayList<GroupHost>(items.size)
        for (t in items) {
            when (t) {
                is TargetHost.Ip -> group += GroupHost(Host(t.address), InetAddress.getByAddress(t.address.toBytes()))
                is TargetHost.Name -> {
                    val inet = resolved[t.name]
                    if (inet == null) {
                        hostsDone++
                        val none = IpAddress.parse(if (plan.preferIpv6) "::" else "0.0.0.0")
                        emit(ScanEvent.HostFinished(HostResult(Host(none, t.name), HostStatus.UNKNOWN, "unresolved", error = "failed to resolve \"${t.name}\"")))
                    } else {
                        group += GroupHost(Host(IpAddress.ofBytes(inet.address), t.name), inet)
                    }
                }
            }
        }
        return group
    }

    /** Resolves a group's names in parallel (the resolver may block); unresolved ones are absent. */
    private fun resolveAll(names: List<String>): Map<String, InetAddress> {
        if (names.isEmpty()) return emptyMap()
        return parallel(names, DNS_BUDGET_NANOS) { config.resolver.resolve(it, plan.preferIpv6).firstOrNull() }
    }

    /** Runs [work] for each item on a small pool within [budgetNanos]; results that came in time. */
    private fun <T, R : Any> parallel(items: List<T>, budgetNanos: Long, work: (T) -> R?): Map<T, R> {
        val pool = Executors.newFixedThreadPool(minOf(16, items.size)) { r -> Thread(r, "kmap-dns").apply { isDaemon = true } }
        try {
            val futures = items.map { it to pool.submit<R?> { work(it) } }
            val deadline = System.nanoTime() + budgetNanos
            val out = HashMap<T, R>()
            for ((item, f) in futures) {
                runCatching { f.get((deadline - System.nanoTime()).coerceAtLeast(0), TimeUnit.NANOSECONDS) }.getOrNull()
                    ?.let { out[item] = it }
            }
            return out
        } finally {
            pool.shutdownNow()
        }
    }

    /** Returns false when the scan was stopped. */
    private fun scanGroup(group: List<GroupHost>, discovery: List<DiscoveryStep>, steps: List<Step>): Boolean {
        currentGroup = group
        val nowMillis = System.currentTimeMillis()
        group.forEach { it.startedMillis = nowMillis }
        if (discovery.isEmpty()) {
            group.forEach { it.up = true; it.reason = "user-set" }
        } else {
            for (step in discovery) {
                if (!discover(group, step)) return finishStopped(group)
            }
        }
        val (up, down) = group.partition { it.up }
        reverseLookups(if (plan.dns == DnsResolution.ALWAYS) group else up)
        down.forEach { finish(it, HostStatus.DOWN) }
        val hostTimeout = plan.timing.effectiveHostTimeoutMillis
        val now = clock()
        up.forEach { h ->
            h.totalPorts = steps.sumOf { it.ports.size }
            h.pending = h.totalPorts
            if (hostTimeout > 0) h.deadlineNanos = now + hostTimeout * 1_000_000
            emit(ScanEvent.HostStarted(h.host))
        }
        for (step in steps) {
            if (!portScan(up, step)) return finishStopped(group)
        }
        up.forEach { if (!it.finished) finish(it, HostStatus.UP) }
        return true
    }

    private fun finishStopped(group: List<GroupHost>): Boolean {
        group.forEach { if (!it.finished) finish(it, if (it.up) HostStatus.UP else HostStatus.UNKNOWN) }
        return false
    }

    private fun finish(h: GroupHost, status: HostStatus): Unit = synchronized(lock) {
        if (h.finished) return
        h.finished = true
        hostsDone++
        when (status) {
            HostStatus.UP -> hostsUp++
            HostStatus.DOWN -> hostsDown++
            HostStatus.UNKNOWN -> Unit
        }
        h.results.sortWith(PORT_ORDER)
        emit(
            ScanEvent.HostFinished(
                HostResult(
                    host = h.host,
                    status = status,
                    reason = h.reason ?: "no-response",
                    ports = h.results.toList(),
                    reverseName = h.reverseName,
                    latencyMicros = if (h.latencyNanos >= 0) h.latencyNanos / 1_000 else null,
                    startedAtMillis = h.startedMillis,
                    finishedAtMillis = System.currentTimeMillis(),
                    timedOut = h.timedOut,
                ),
            ),
        )
        h.results.clear()
    }

    private fun reverseLookups(hosts: List<GroupHost>) {
        if (plan.dns == DnsResolution.NEVER || hosts.isEmpty()) return
        val names = parallel(hosts, DNS_BUDGET_NANOS) { config.resolver.reverse(it.inet) }
        hosts.forEach { it.reverseName = names[it] }
    }

    // --- discovery ---

    private fun discover(group: List<GroupHost>, step: DiscoveryStep): Boolean {
        val candidates = group.filter { !it.up }
        if (candidates.isEmpty()) return true
        val ports = step.ports
        val listener = object : ProbeListener {
            override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) = synchronized(lock) {
                val h = candidates[probe.slot]
                if (verdict.hostResponded && !h.up) {
                    h.up = true
                    h.latencyNanos = rttNanos
                    h.reason = verdict.reason
                } else if (!h.up) {
                    h.reason = verdict.reason
                }
            }

            override fun onSilence(probe: Probe) {}
            override fun isAbandoned(probe: Probe) = candidates[probe.slot].up
            override fun tick(nowNanos: Long) = progress(nowNanos)
        }
        // host-major order: all of a host's discovery probes go out together, as nmap's do
        return runLoops(step.module, { listener }, candidates.size.toLong() * ports.size) { flat ->
            val h = candidates[(flat / ports.size).toInt()]
            if (h.up) null else Probe(h.inet, ports[(flat % ports.size).toInt()], 0, (flat / ports.size).toInt(), (flat % ports.size).toInt(), h.host.address)
        }
    }

    // --- port scan ---

    private class Found(val host: GroupHost, val result: PortResult)

    /**
     * One loop's listener: results are buffered per loop and committed under the lock in batches,
     * so parallel loops do not contend for the lock on every port.
     */
    private inner class PortScanListener(private val hosts: List<GroupHost>, private val step: Step) : ProbeListener {
        private val buffer = ArrayList<Found>(COMMIT_BATCH)
        private var lastCommit = clock()

        override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) = add(probe, verdict, rttNanos)
        override fun onSilence(probe: Probe) = add(probe, step.module.silence, -1)
        override fun isAbandoned(probe: Probe) = hosts[probe.slot].finished

        private fun add(probe: Probe, verdict: Verdict, rttNanos: Long) {
            buffer += Found(
                hosts[probe.slot],
                PortResult(
                    port = probe.port,
                    protocol = step.protocol,
                    state = verdict.state,
                    reason = verdict.reason,
                    service = ServiceNames.name(step.protocol, probe.port),
                    rttMicros = if (rttNanos >= 0 && verdict.hostResponded) rttNanos / 1_000 else null,
                ),
            )
            if (buffer.size >= COMMIT_BATCH) drain()
        }

        override fun drain() {
            lastCommit = clock()
            if (buffer.isEmpty()) return
            synchronized(lock) {
                for (f in buffer) {
                    val h = f.host
                    if (h.finished) continue
                    val rtt = f.result.rttMicros
                    if (rtt != null && (h.latencyNanos < 0 || rtt * 1_000 < h.latencyNanos)) h.latencyNanos = rtt * 1_000
                    h.results += f.result
                    emit(ScanEvent.PortFound(h.host, f.result))
                    if (--h.pending == 0) finish(h, HostStatus.UP)
                }
            }
            buffer.clear()
        }

        override fun tick(nowNanos: Long) {
            if (nowNanos - lastCommit > COMMIT_NANOS) drain()
            progress(nowNanos)
            if (nowNanos - lastTimeoutCheck > TIMEOUT_CHECK_NANOS) synchronized(lock) {
                lastTimeoutCheck = nowNanos
                for (h in hosts) {
                    if (!h.finished && nowNanos > h.deadlineNanos) {
                        h.timedOut = true
                        finish(h, HostStatus.UP)
                    }
                }
            }
        }
    }

    private fun portScan(up: List<GroupHost>, step: Step): Boolean {
        val hosts = up.filter { !it.finished }
        if (hosts.isEmpty()) return true
        val ports = step.ports
        // port-major order: every host of the group gets its next port before any gets two
        return runLoops(step.module, { PortScanListener(hosts, step) }, ports.size.toLong() * hosts.size) { flat ->
            val slot = (flat % hosts.size).toInt()
            val portIndex = (flat / hosts.size).toInt()
            val h = hosts[slot]
            if (h.finished) null else Probe(h.inet, ports[portIndex], 0, slot, portIndex, h.host.address)
        }
    }

    /**
     * Runs [size] probes (flat indexes 0 until size, each turned into a probe by [probeAt], null to
     * skip) through as many parallel loops as the module allows; loop k takes the indexes ≡ k.
     * Returns false when the scan was stopped.
     */
    private fun runLoops(module: ProbeModule, listener: () -> ProbeListener, size: Long, probeAt: (Long) -> Probe?): Boolean {
        val loops = module.concurrentSessions.coerceIn(1, MAX_LOOPS).toLong().coerceAtMost(maxOf(1, size / MIN_PROBES_PER_LOOP)).toInt()
        val timing = if (loops == 1) plan.timing else plan.timing.copy(
            minRate = plan.timing.minRate?.div(loops),
            maxRate = plan.timing.maxRate?.div(loops),
        )
        fun loop(k: Int): Boolean {
            var next = k.toLong()
            val source = object : ProbeSource {
                override fun next(): Probe? {
                    while (next < size) {
                        val p = probeAt(next)
                        next += loops
                        if (p != null) return p
                    }
                    return null
                }
            }
            val l = listener()
            val session = session(module, k)
            val t = TimingController(timing, session.capacity, clock(), udp = ScanType.UDP in module.scanTypes)
            synchronized(lock) { runningTimings += t }
            return try {
                ProbeLoop(session, t, clock, source, l, ::stopRequested).run()
            } finally {
                l.drain()
                synchronized(lock) {
                    runningTimings -= t
                    probesSent += t.probesSent
                    probesUnanswered += t.unanswered
                    reprobes += t.reprobes
                    reprobesAnswered += t.recovered
                    rateLowered = rateLowered || t.rateLowered
                }
                flush()
            }
        }
        if (loops == 1) return loop(0)
        val results = BooleanArray(loops)
        val failures = arrayOfNulls<Throwable>(loops)
        val threads = (1 until loops).map { k ->
            Thread({ try { results[k] = loop(k) } catch (e: Throwable) { failures[k] = e; aborted = true } }, "kmap-probe-loop-$k")
                .apply { isDaemon = true; start() }
        }
        try {
            results[0] = loop(0)
        } catch (e: Throwable) {
            aborted = true
            throw e
        } finally {
            for (t in threads) {
                while (t.isAlive) {
                    try { t.join() } catch (e: InterruptedException) { aborted = true; Thread.currentThread().interrupt() }
                }
            }
        }
        failures.firstOrNull { it != null }?.let { throw it }
        return results.all { it }
    }

    /** Sessions live for the whole scan (opening one can mean a capture handle and threads). */
    private val sessions = HashMap<Pair<ProbeModule, Int>, ProbeSession>()

    private fun session(module: ProbeModule, k: Int): ProbeSession = synchronized(lock) {
        sessions.getOrPut(module to k) { module.open() }
    }

    private fun closeSessions() {
        synchronized(lock) { sessions.values.toList().also { sessions.clear() } }.forEach { runCatching { it.close() } }
    }

    private fun progress(nowNanos: Long) {
        if (nowNanos - lastFlushNanos > FLUSH_NANOS) flush()
        val interval = config.progressIntervalMillis * 1_000_000
        if (interval <= 0 || nowNanos - lastProgressNanos < interval) return
        synchronized(lock) {
            if (nowNanos - lastProgressNanos < interval) return
            val sent = probesSent + runningTimings.sumOf { it.probesSent }
            val rate = (sent - lastProgressProbes) / ((nowNanos - lastProgressNanos) / 1e9)
            lastProgressNanos = nowNanos
            lastProgressProbes = sent
            val inGroup = currentGroup.sumOf { h ->
                when {
                    h.finished -> 0.0
                    h.totalPorts > 0 -> 1.0 - h.pending.toDouble() / h.totalPorts
                    else -> 0.0
                }
            }
            val fraction = if (hostsTotal > 0) ((hostsDone + inGroup) / hostsTotal).coerceIn(0.0, 1.0) else 0.0
            val elapsed = (nowNanos - startNanos) / 1_000_000
            val eta = if (fraction > 0.001) ((elapsed / fraction) - elapsed).toLong().coerceAtLeast(0) else null
            emit(ScanEvent.Progress(hostsDone, hostsTotal, sent, rate, eta))
        }
    }

    private companion object {
        const val MAX_GROUP = 16_384
        const val MAX_PROBES_PER_GROUP = 262_144
        const val TIMEOUT_CHECK_NANOS = 10_000_000L
        const val DNS_BUDGET_NANOS = 5_000_000_000L
        const val BATCH = 512
        const val FLUSH_NANOS = 20_000_000L
        const val MAX_LOOPS = 8
        const val MIN_PROBES_PER_LOOP = 2_048L
        const val COMMIT_BATCH = 256
        const val COMMIT_NANOS = 5_000_000L
    }
}
