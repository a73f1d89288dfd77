package dev.kmap.store

import dev.kmap.dsl.PortList
import dev.kmap.dsl.PortSet
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.Shard
import dev.kmap.dsl.TargetSpec
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanStats
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * The rest of a stopped scan, as one event stream that looks like the uninterrupted scan's: a
 * [ScanEvent.Started] with the original plan and start time, every host the store already has
 * (as [ScanEvent.HostFinished], so outputs written from this flow are complete), then the scan of
 * what is left, and a [ScanEvent.Finished] whose totals cover the whole scan.
 *
 * What is left: the hosts that were being scanned continue with only the ports not stored yet
 * (their stored ports are merged into their result), then every target that has no stored
 * result. Nothing stored is scanned again. A [ScanRecorder] from [ScanStore.resume] ignores the
 * hosts it already has, so the flow can feed it and the outputs alike.
 *
 * ```kotlin
 * ScanStore.open().use { store ->
 *     val recorder = store.resume(42)
 *     store.load(42, group = false).resumeFlow().collect(recorder::accept)
 *     recorder.close()
 * }
 * ```
 */
public fun StoredScan.resumeFlow(config: EngineConfig = EngineConfig()): Flow<ScanEvent> = flow {
    val plan = plan
    val readLines: (String) -> List<String> = { path -> settings.targetFiles[path] ?: config.readLines(path) }
    val engine = EngineConfig(config.modules, config.resolver, readLines, config.clock, config.control, config.progressIntervalMillis, config.hostProcessor)
    emit(ScanEvent.Started(plan, stats.startedAtMillis, stats.hostsTotal))
    var up = 0L
    var down = 0L
    val done = ArrayList<TargetSpec>()
    completeHosts().forEach { h ->
        count(h.status).let { if (it > 0) up++ else if (it < 0) down++ }
        done += specsOf(h.host, h.error != null)
        emit(ScanEvent.HostFinished(h))
    }
    var probes = stats.probesSent
    var interrupted = false
    val startPlan = plan.copy(outputs = emptyList())
    // hosts cut short: only the ports that are not stored yet
    for (partial in unfinishedHosts()) {
        if (config.control.isStopped) { interrupted = true; break }
        done += specsOf(partial.host, false)
        val stored = partial.ports
        val left = PortSet(
            plan.ports.tcp - PortList.of(*stored.filter { it.protocol == Protocol.TCP }.map { it.port }.toIntArray()),
            plan.ports.udp - PortList.of(*stored.filter { it.protocol == Protocol.UDP }.map { it.port }.toIntArray()),
        )
        val one = startPlan.copy(
            targets = plan.targets.copy(includes = listOf(TargetSpec.Address(partial.host.address)), excludes = emptyList(), randomize = false, shard = Shard.WHOLE),
            ports = left,
        )
        val result = if (left.isEmpty()) null else run {
            var finished: HostResult? = null
            scanFlow(one, engine).collect { e ->
                when (e) {
                    is ScanEvent.PortFound -> emit(ScanEvent.PortFound(partial.host, e.result))
                    is ScanEvent.HostFinished -> finished = e.result
                    is ScanEvent.Finished -> { probes += e.stats.probesSent; interrupted = interrupted || e.stats.interrupted }
                    is ScanEvent.Progress, is ScanEvent.Warning -> emit(e)
                    else -> Unit
                }
            }
            finished
        }
        val merged = (result ?: partial.copy(status = HostStatus.UP)).copy(
            host = partial.host,
            ports = (stored + result?.ports.orEmpty()).sortedWith(PORT_ORDER),
        )
        count(merged.status).let { if (it > 0) up++ else if (it < 0) down++ }
        emit(ScanEvent.HostFinished(merged))
    }
    // every target without a stored result
    if (!interrupted && !config.control.isStopped) {
        val rest = startPlan.copy(targets = plan.targets.copy(excludes = plan.targets.excludes + done))
        scanFlow(rest, engine).collect { e ->
            when (e) {
                is ScanEvent.Started -> Unit
                is ScanEvent.Finished -> { probes += e.stats.probesSent; interrupted = interrupted || e.stats.interrupted }
                is ScanEvent.HostFinished -> { count(e.result.status).let { if (it > 0) up++ else if (it < 0) down++ }; emit(e) }
                else -> emit(e)
            }
        }
    } else {
        interrupted = true
    }
    emit(ScanEvent.Finished(ScanStats(stats.startedAtMillis, System.currentTimeMillis(), up, down, stats.hostsTotal, probes, interrupted)))
}

private fun count(s: HostStatus) = when (s) { HostStatus.UP -> 1; HostStatus.DOWN -> -1; HostStatus.UNKNOWN -> 0 }

/** What leaves a finished host out of the rest of the scan: its address (unless unresolved) and the name it was given as. */
private fun specsOf(host: Host, unresolved: Boolean): List<TargetSpec> = buildList {
    if (!unresolved) add(TargetSpec.Address(host.address))
    host.name?.let { n -> runCatching { TargetSpec.HostName(n) }.getOrNull()?.let { add(it) } }
}

private val PORT_ORDER: Comparator<PortResult> = Comparator { a, b ->
    if (a.protocol != b.protocol) a.protocol.compareTo(b.protocol) else a.port.compareTo(b.port)
}
