package dev.kmap.engine

/**
 * Where a resumed scan starts ([EngineConfig.resume]): from [checkpoint] (the last
 * [ScanEvent.Checkpoint] of the interrupted run, with the same plan), so the resumed run scans
 * only what was left. Hosts before the checkpoint's position and hosts it lists as finished are
 * skipped; hosts in flight are taken as up (with their stored reason) and their decided ports are
 * not probed again. [decidedPorts] (by host position: the stored [ScanEvent.PortFound] results of
 * those hosts) are put back into their results, so each resumed host is reported whole; without
 * them the sink merges the stored ports itself. Either way the stored results plus the resumed
 * run's equal an uninterrupted run.
 *
 * ```kotlin
 * val last = stored.checkpoint                                   // kept by a sink
 * val resumed = scan(plan, EngineConfig(resume = ResumeState(last, stored.portsByPosition)))
 * val hosts = stored.finishedHosts + resumed.hosts               // = an uninterrupted run
 * ```
 */
public data class ResumeState(
    val checkpoint: ScanCheckpoint,
    val decidedPorts: Map<Long, List<PortResult>> = emptyMap(),
)
