package dev.kmap.engine.service.internal

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.service.ServiceDatabase
import kotlinx.coroutines.Job
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import java.util.concurrent.Executors

/**
 * Service detection as a step after the port scan (until the engine has named stages, it wraps
 * the event flow): each finished host with open ports is handed to the [ServiceScanner] at once,
 * hosts in parallel while the port scan goes on upstream; each decided port streams as
 * [ScanEvent.ServiceFound], then the host's [ScanEvent.HostFinished] carries every port's
 * service. [ScanEvent.Finished] waits for the last host. The database is read before the first
 * event, so a bad `--service-db` file fails the scan before anything is sent.
 */
internal class ServiceStage(private val plan: ScanPlan, private val config: EngineConfig) {
    private val detection = checkNotNull(plan.serviceDetection)
    private val db = ServiceDatabase.forDetection(detection)

    fun apply(upstream: Flow<ScanEvent>): Flow<ScanEvent> = channelFlow {
        val threads = ServiceScanner.settingsFor(plan.timing).connections
        val pool = Executors.newFixedThreadPool(threads) { r -> Thread(r, "kmap-service").apply { isDaemon = true } }
        val io = pool.asCoroutineDispatcher()
        val scanner = ServiceScanner(db, detection, plan.timing, io) { config.control.isStopped }
        val jobs = ArrayList<Job>()
        val tarpits = java.util.concurrent.atomic.AtomicInteger()
        try {
            upstream.collect { e ->
                when {
                    e is ScanEvent.HostFinished && e.result.status == HostStatus.UP &&
                        e.result.ports.any { it.state == PortState.OPEN || it.state == PortState.OPEN_FILTERED } -> {
                        jobs += launch {
                            val host = e.result
                            val done = scanner.detect(host) { port -> send(ScanEvent.ServiceFound(host.host, port)) }
                            if (done.ports.any { it.serviceInfo?.tarpit == true }) {
                                tarpits.incrementAndGet()
                                send(ScanEvent.Warning("${host.host.address} looks like a tarpit: its ports accept connections and never answer; service detection stopped waiting on them"))
                            }
                            send(ScanEvent.HostFinished(done.copy(finishedAtMillis = System.currentTimeMillis())))
                        }
                    }
                    e is ScanEvent.Finished -> {
                        jobs.joinAll()
                        send(ScanEvent.Finished(e.stats.copy(finishedAtMillis = maxOf(e.stats.finishedAtMillis, System.currentTimeMillis()))))
                    }
                    else -> send(e)
                }
            }
            jobs.joinAll()
        } finally {
            pool.shutdownNow()
        }
    }
}
