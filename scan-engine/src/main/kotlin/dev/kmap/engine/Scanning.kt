package dev.kmap.engine

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.internal.ScanRunner
import dev.kmap.engine.service.internal.ServiceStage
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
 * [ScanEvent.HostFinished] carries the processor's result. With [ScanPlan.serviceDetection] set,
 * each open port's service streams as a [ScanEvent.ServiceFound] and is in its host's result; a
 * probe database that cannot be read raises [dev.kmap.dsl.InvalidSpecException] at once.
 *
 * ```kotlin
 * scanFlow(scan { targets("127.0.0.1"); ports("1-1024"); connect() }).collect { println(it) }
 * ```
 */
public fun scanFlow(plan: ScanPlan, config: EngineConfig = EngineConfig()): Flow<ScanEvent> {
    // read the probe database before the first packet: a bad file fails the scan up front
    val services = plan.serviceDetection?.let { ServiceStage(plan, config) }
    val events = channelFlow {
        val batches = channel
        runInterruptible(Dispatchers.IO) {
            // events cross threads in batches: one hand-off per batch, not per port
            ScanRunner(plan, config) { batch -> batches.trySendBlocking(batch).getOrThrow() }.run()
        }
    }.buffer(BATCH_BUFFER).transform { batch -> batch.forEach { emit(it) } }
    val detected = services?.apply(events)?.buffer(BATCH_BUFFER) ?: events
    val processor = config.hostProcessor ?: return detected
    // the processor (scripts) runs while the scan goes on upstream: the buffer keeps it fed
    return detected.transform { e -> if (e is ScanEvent.HostFinished) emit(ScanEvent.HostFinished(processor.process(e.result))) else emit(e) }
}

/**
 * Runs [plan] to the end and returns the whole [ScanReport]. It holds every host's result, so for
 * very large scans prefer [scanFlow]. Stopped through [EngineConfig.control], it returns the
 * partial report with `stats.interrupted` set.
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
