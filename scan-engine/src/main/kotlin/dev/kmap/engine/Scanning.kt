package dev.kmap.engine

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.internal.ScanPipeline
import dev.kmap.engine.internal.refuseOutputs
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.flow.transform
import kotlinx.coroutines.withContext

/**
 * Runs [plan] and streams what it finds. The flow is cold: each collection runs the scan once.
 * Each host group goes through [EngineConfig.stages] (see [ScanStage]) on [Dispatchers.IO];
 * cancelling the collector stops the scan quickly, and every event already emitted stays valid.
 * For a graceful stop that still reports partial hosts and a [ScanEvent.Finished], use
 * [EngineConfig.control]. With [EngineConfig.hostProcessors], each [ScanEvent.HostFinished]
 * carries their result. A plan field no stage runs (`serviceDetection`, `osDetection`, `scripts`)
 * fails the flow with a [ScanUnavailableException] before the first event.
 *
 * The engine writes no files: a plan with [ScanPlan.outputs] is refused here with one line;
 * `Kmap.scanFlow` (module `scan-report`) runs the same plan and writes them.
 *
 * ```kotlin
 * scanFlow(scan { targets("127.0.0.1"); ports("1-1024"); connect() }).collect { println(it) }
 * ```
 */
public fun scanFlow(plan: ScanPlan, config: EngineConfig = EngineConfig()): Flow<ScanEvent> {
    refuseOutputs(plan)
    return channelFlow {
        val batches = channel
        try {
            withContext(Dispatchers.IO) {
                // events cross threads in batches: one hand-off per batch, not per port
                ScanPipeline(plan, config) { batch -> batches.trySendBlocking(batch).getOrThrow() }.run()
            }
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            // a failure midway: the collector still gets every event sent before it, then the failure
            batches.close(e)
        }
    }.buffer(BATCH_BUFFER).transform { batch ->
        val processors = config.hostProcessors
        batch.forEach { e ->
            // processors run while the scan goes on upstream: the buffer keeps them fed
            if (processors.isNotEmpty() && e is ScanEvent.HostFinished) {
                var result = e.result
                for (p in processors) result = p.process(result)
                emit(ScanEvent.HostFinished(result))
            } else {
                emit(e)
            }
        }
    }
}

/**
 * Runs [plan] to the end and returns the whole [ScanReport]. It holds every host's result, so for
 * very large scans prefer [scanFlow]. Stopped through [EngineConfig.control], it returns the
 * partial report with `stats.interrupted` set. Like [scanFlow], it refuses a plan with
 * [ScanPlan.outputs] (`Kmap.scan` writes them).
 *
 * ```kotlin
 * val report = scan(scan { targets("127.0.0.1"); ports("22,80"); connect() })
 * println(report.hosts.single().ports)
 * ```
 */
public suspend fun scan(plan: ScanPlan, config: EngineConfig = EngineConfig()): ScanReport {
    val hosts = ArrayList<HostResult>()
    var stats: ScanStats? = null
    scanFlow(plan, config).collect { e ->
        when (e) {
            is ScanEvent.HostFinished -> hosts += e.result
            is ScanEvent.Finished -> stats = e.stats
            else -> Unit
        }
    }
    return ScanReport(plan, hosts, checkNotNull(stats) { "scan ended without its Finished event" })
}

private const val BATCH_BUFFER = 64
