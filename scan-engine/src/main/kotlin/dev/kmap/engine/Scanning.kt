package dev.kmap.engine

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.internal.ScanRunner
import dev.kmap.engine.internal.refuseOutputs
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.flow.transform
import kotlinx.coroutines.runInterruptible

/**
 * Runs [plan] and streams what it finds. The flow is cold: each collection runs the scan once.
 * The probe loop runs on [Dispatchers.IO]; cancelling the collector stops it quickly, and every
 * event already emitted stays valid. For a graceful stop that still reports partial hosts and a
 * [ScanEvent.Finished], use [EngineConfig.control]. With [EngineConfig.hostProcessor] set, each
 * [ScanEvent.HostFinished] carries the processor's result.
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
            runInterruptible(Dispatchers.IO) {
                // events cross threads in batches: one hand-off per batch, not per port
                ScanRunner(plan, config) { batch -> batches.trySendBlocking(batch).getOrThrow() }.run()
            }
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            // a failure midway: the collector still gets every event sent before it, then the failure
            batches.close(e)
        }
    }.buffer(BATCH_BUFFER).transform { batch ->
        val processor = config.hostProcessor
        batch.forEach { e ->
            // the processor (scripts) runs while the scan goes on upstream: the buffer keeps it fed
            if (processor != null && e is ScanEvent.HostFinished) emit(ScanEvent.HostFinished(processor.process(e.result))) else emit(e)
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
