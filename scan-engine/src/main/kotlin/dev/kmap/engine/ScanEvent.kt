package dev.kmap.engine

import dev.kmap.dsl.ScanPlan

/**
 * What a running scan reports, in order: [Started], then per host [HostStarted], [PortFound]s,
 * [PortUpdated]s (later stages adding to a decided port) and [HostFinished] (hosts of a group
 * interleave), [Progress] and [Checkpoint]s now and then, and [Finished] last. A consumer should
 * ignore event types it does not know: later versions add more.
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
     * A later stage (service detection, scripts...) added to a port already reported by
     * [PortFound]: [result] replaces it. Comes before the host's [HostFinished].
     */
    public data class PortUpdated(val host: Host, val result: PortResult) : ScanEvent

    /**
     * A target could not be scanned at all ([target] as given, e.g. a name that does not resolve),
     * with a one-line [message] such as `Failed to resolve "db.example".` The scan goes on with the
     * other targets; the target is also reported as a [HostFinished] with [HostResult.error].
     */
    public data class TargetError(val target: String, val message: String) : ScanEvent

    /**
     * Where the scan is in its target order, for resuming: see [ScanCheckpoint]. Emitted after every
     * host group but the last (a [Finished] that is not interrupted means nothing is left), every
     * [EngineConfig.checkpointIntervalMillis] within a group, and once more when the scan is
     * stopped, before the hosts cut short are reported. Every event before it is covered.
     */
    public data class Checkpoint(val checkpoint: ScanCheckpoint) : ScanEvent

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
