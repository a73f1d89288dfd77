package dev.kmap.store

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanReport
import dev.kmap.engine.ScanStats
import dev.kmap.engine.Violation
import dev.kmap.engine.output.ReportFormatter
import dev.kmap.engine.output.ReportOptions
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
    internal fun completeHosts(): Sequence<HostResult> = reader.finishedHosts(summary.scanIds, completeOnly = true)

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
