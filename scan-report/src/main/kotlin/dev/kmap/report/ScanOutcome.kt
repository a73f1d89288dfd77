package dev.kmap.report

import dev.kmap.engine.ScanStats

/**
 * What a [ScanJob] leaves besides its files: the scan's [stats] (with `interrupted` when it was
 * stopped), the [violations] of its expectations (empty when they hold or none were given; not
 * checked after an interrupted scan), the targets that could not be scanned ([hostErrors], one
 * line each), the [outputs] written (paths, `-` for standard output) and the baseline file it
 * wrote ([baselineWritten], null if none).
 *
 * ```kotlin
 * val outcome = ScanJob(plan, expectations = policy).runBlocking()
 * outcome.violations.forEach { println(it.message) }
 * ```
 */
public data class ScanOutcome(
    val stats: ScanStats,
    val violations: List<Violation>,
    val hostErrors: List<String>,
    val outputs: List<String>,
    val baselineWritten: String?,
) {
    /** True when the scan was stopped before the end (Ctrl-C, `ScanControl.stop()`). */
    val interrupted: Boolean get() = stats.interrupted
}
