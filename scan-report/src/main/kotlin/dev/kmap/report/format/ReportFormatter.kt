package dev.kmap.report.format

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanStats
import dev.kmap.report.Violation

/**
 * Writes one report format as the scan goes: [start] once, [host] as each host finishes, [finish]
 * once (also after an interrupted scan, so files stay well-formed). A formatter sees only results,
 * never probes or packets. Called from one coroutine; implementations need not be thread-safe.
 *
 * ```kotlin
 * val f = NormalFormat(verbose = false, showReason = false, openOnly = false)
 * f.start(plan, System.currentTimeMillis(), System.out)
 * ```
 */
public interface ReportFormatter {
    /** The scan began. */
    public fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable)

    /** A host is final. */
    public fun host(result: HostResult, out: Appendable)

    /**
     * [expectations] were checked and broken as [violations] (empty: all hold). Called at most
     * once, after the last [host] and before [finish]; formats without a place for it ignore it.
     */
    public fun expectations(expectations: Expectations, violations: List<Violation>, out: Appendable) {}

    /** The scan ended (possibly interrupted: see [ScanStats.interrupted]). */
    public fun finish(stats: ScanStats, out: Appendable)
}
