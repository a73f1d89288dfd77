package dev.kmap.passive

import dev.kmap.dsl.PassivePlan
import dev.kmap.engine.ScanEvent
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * A passive [plan] as the events of a scan, for the sinks and outputs scans use (scan-report's
 * `ScanJob.run(events)`, which `kmap passive` calls): [ScanEvent.Started] with [PASSIVE_PLAN]
 * before the capture is read, then, when it ends (its files read, its duration over, or [stop]
 * said true, as Ctrl-C does), one [ScanEvent.HostFinished] per host seen and
 * [ScanEvent.Finished] (`interrupted` when [stop] ended it). Hosts are known only once the
 * capture ends: a host's ports, names and OS hints grow until then. [listener] sees the
 * capture's own events (flows, parser messages, [PassiveEvent.Finished] with its totals).
 *
 * ```kotlin
 * ScanJob(PASSIVE_PLAN, outputs = plan.outputs).run(passiveScanEvents(plan))
 * ```
 */
public fun passiveScanEvents(
    plan: PassivePlan,
    parsers: PassiveParsers = PassiveParsers.DEFAULT,
    listener: PassiveListener? = null,
    stop: () -> Boolean = { false },
): Flow<ScanEvent> = flow {
    emit(ScanEvent.Started(PASSIVE_PLAN, System.currentTimeMillis(), 0))
    val result = passive(plan, parsers, listener, stop)
    result.report.hosts.forEach { emit(ScanEvent.HostFinished(it)) }
    emit(ScanEvent.Finished(result.report.stats))
}
