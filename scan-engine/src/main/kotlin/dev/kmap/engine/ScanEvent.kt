package dev.kmap.engine

import dev.kmap.dsl.ScanPlan

/**
 * What a running scan reports, in order: [Started], then per host [HostStarted], [PortFound]s and
 * [HostFinished] (hosts of a group interleave), [Progress] now and then, and [Finished] last.
 *
 * ```kotlin
 * scanFlow(plan).collect { e -> if (e is ScanEvent.PortFound && e.result.state == PortState.OPEN) println(e) }
 * ```
 */
public sealed interface ScanEvent {
    /** The scan began. [targetCount] is the size of the target index space (before exclusions). */
    public data class Started(val plan: ScanPlan, val startedAtMillis: Long, val targetCount: Long) : ScanEvent

    /** Something the user should know that does not stop the scan (e.g. a fallback to another scan type). */
    public data class Warning(val message: String) : ScanEvent

    /** Port scanning of [host] began (it was found up, or discovery was skipped). */
    public data class HostStarted(val host: Host) : ScanEvent

    /** The state of one port of [host] is decided. */
    public data class PortFound(val host: Host, val result: PortResult) : ScanEvent

    /**
     * Service detection (`-sV`) decided what runs on one port of [host]: [result] carries
     * [PortResult.serviceInfo]. Comes as soon as the port is decided, before its [HostFinished].
     */
    public data class ServiceFound(val host: Host, val result: PortResult) : ScanEvent

    /** [result] is final: every port of the host is decided, or the host is down. */
    public data class HostFinished(val result: HostResult) : ScanEvent

    /**
     * Progress: hosts finished out of [hostsTotal], probes sent, the probe rate per second over the
     * last interval, and an estimate of the time left ([etaMillis], null when unknown).
     */
    public data class Progress(
        val hostsDone: Long,
        val hostsTotal: Long,
        val probesSent: Long,
        val probesPerSecond: Double,
        val etaMillis: Long?,
    ) : ScanEvent

    /** The scan ended; [stats] says whether it was interrupted. */
    public data class Finished(val stats: ScanStats) : ScanEvent
}
