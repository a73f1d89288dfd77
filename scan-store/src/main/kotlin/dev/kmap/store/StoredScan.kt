package dev.kmap.store

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostResult
import dev.kmap.engine.ResumeState
import dev.kmap.engine.ScanCheckpoint
import dev.kmap.engine.ScanReport
import dev.kmap.engine.ScanStats
import dev.kmap.report.Violation
import dev.kmap.report.format.ReportFormatter
import dev.kmap.report.format.ReportOptions
import dev.kmap.store.internal.ScanReader
import java.time.ZoneId

/**
 * A scan read back from the store: its [summary], the [plan] and [settings] it ran with, the
 * [stats] it finished with (for a scan that never finished: what was stored, `interrupted` set),
 * the [expectations] it checked and their [violations] (null and empty when none were given).
 * The hosts are streamed from the store by [hosts] (finished hosts, in the order they finished;
 * shards one after another), so a scan of millions of hosts is never held at once; [report]
 * collects them. Read hosts while the [ScanStore] is open.
 *
 * ```kotlin
 * val scan = store.load(42)
 * scan.hosts().filter { it.status == HostStatus.UP }.forEach { println(it.host) }
 * ```
 */
public class StoredScan internal constructor(
    public val summary: ScanSummary,
    public val plan: ScanPlan,
    public val settings: RecordSettings,
    public val stats: ScanStats,
    public val expectations: Expectations?,
    public val violations: List<Violation>,
    private val reader: ScanReader,
) {
    /** The finished hosts, streamed in pages in the order they finished. */
    public fun hosts(): Sequence<HostResult> = reader.finishedHosts(summary.scanIds)

    /** The finished hosts without those a stopped scan cut short (a resume continues those). */
    public fun completeHosts(): Sequence<HostResult> = reader.finishedHosts(summary.scanIds, completeOnly = true)

    /**
     * Where a resume of this scan (one scan row: load it with `group = false`) starts: the last
     * engine [ScanCheckpoint] that reached the store (the start, when none did), and the stored
     * port results of the hosts it lists in flight, restricted to the ports it says were decided.
     * Give it to the engine as [EngineConfig.resume]; [resumeFlow] does that and merges the stored hosts.
     */
    public fun resumeState(): ResumeState {
        val id = summary.scanIds.singleOrNull() ?: throw StoreException("scan ${summary.id} has ${summary.scanIds.size} shards: resume one shard at a time")
        val checkpoint = reader.checkpoint(id) ?: ScanCheckpoint(0)
        val inFlight = checkpoint.hosts.filter { !it.finished }
        if (inFlight.isEmpty()) return ResumeState(checkpoint)
        val stored = unfinishedHosts().associateBy { it.host }
        val decided = inFlight.associate { h ->
            h.position to stored[h.host]?.ports.orEmpty().filter { p -> p.port in h.decided[p.protocol] }
        }
        return ResumeState(checkpoint, decided)
    }

    /**
     * Hosts that were being scanned when the scan stopped, or that a stopped scan reported cut
     * short: their ports decided so far (in port order), status unknown. Empty for a finished scan.
     */
    public fun unfinishedHosts(): List<HostResult> = reader.unfinishedHosts(summary.scanIds)

    /** The report settings the run wrote its outputs with (`kmap show` renders with them). */
    public val reportOptions: ReportOptions
        get() = ReportOptions(
            version = settings.version,
            commandLine = settings.commandLine,
            verbosity = settings.verbosity,
            debugging = settings.debugging,
            showReason = settings.showReason,
            openOnly = settings.openOnly,
            zone = runCatching { ZoneId.of(settings.zone) }.getOrDefault(ZoneId.systemDefault()),
        )

    /**
     * Feeds the stored scan to [formatter] as the live run fed its outputs (start, each host,
     * the expectations if they were checked, finish): with a formatter made from [reportOptions]
     * the text is byte for byte what the run wrote.
     */
    public fun replay(formatter: ReportFormatter, out: Appendable) {
        formatter.start(plan, stats.startedAtMillis, out)
        hosts().forEach { formatter.host(it, out) }
        expectations?.let { formatter.expectations(it, violations, out) }
        formatter.finish(stats, out)
    }

    /** The whole scan in memory. */
    public fun report(): ScanReport = ScanReport(plan, hosts().toList(), stats)
}
