package dev.kmap.store

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.Host
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * The rest of a stopped scan (one scan row: load it with `group = false`) as one event stream
 * that looks like the uninterrupted scan's, so outputs written from it are whole: the engine is
 * resumed from the last stored checkpoint ([StoredScan.resumeState], [EngineConfig.resume]) and
 * scans only what the checkpoint says is left, within a host too. Its [ScanEvent.Started]
 * carries the original start time; every host the store already has comes right after it (as
 * [ScanEvent.HostFinished]); the engine's results for those hosts (finished after the last
 * checkpoint, so scanned again) are left out in favour of the stored ones; the
 * [ScanEvent.Finished] totals cover the whole scan.
 *
 * A [ScanRecorder] from [ScanStore.resume] keeps what it has, so this flow feeds it and the
 * outputs alike: give it to a `ScanJob` as its source.
 *
 * ```kotlin
 * ScanStore.open().use { store ->
 *     val stored = store.load(42, group = false)
 *     val recorder = store.resume(42)
 *     ScanJob(stored.plan, sinks = listOf(recorder), source = { _, config -> stored.resumeFlow(config) }).runBlocking()
 * }
 * ```
 */
public fun StoredScan.resumeFlow(config: EngineConfig = EngineConfig()): Flow<ScanEvent> = flow {
    val plan: ScanPlan = plan
    val engine = config.copy(
        readLines = { path -> settings.targetFiles[path] ?: config.readLines(path) },
        resume = resumeState(),
    )
    val stored = HashSet<Host>()
    var up = 0L
    var down = 0L
    fun count(s: HostStatus) { if (s == HostStatus.UP) up++ else if (s == HostStatus.DOWN) down++ }
    scanFlow(plan.copy(outputs = emptyList()), engine).collect { e ->
        when (e) {
            is ScanEvent.Started -> {
                emit(ScanEvent.Started(plan, stats.startedAtMillis, e.targetCount))
                completeHosts().forEach { h ->
                    stored += h.host
                    count(h.status)
                    emit(ScanEvent.HostFinished(h))
                }
            }
            is ScanEvent.HostStarted -> if (e.host !in stored) emit(e)
            is ScanEvent.PortFound -> if (e.host !in stored) emit(e)
            is ScanEvent.PortUpdated -> if (e.host !in stored) emit(e)
            is ScanEvent.HostFinished -> if (e.result.host !in stored) { count(e.result.status); emit(e) }
            is ScanEvent.Finished -> emit(
                ScanEvent.Finished(
                    e.stats.copy(
                        startedAtMillis = stats.startedAtMillis, hostsUp = up, hostsDown = down,
                        probesSent = stats.probesSent + e.stats.probesSent,
                    ),
                ),
            )
            else -> emit(e)
        }
    }
}
