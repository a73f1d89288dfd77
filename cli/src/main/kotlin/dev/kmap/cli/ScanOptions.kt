package dev.kmap.cli

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.report.Baseline
import kotlin.time.Duration

/**
 * What `kmap [options] targets...` asked for, parsed and checked: the [plan] (outputs
 * included), the expectations and baselines, how the terminal report looks, and the script
 * budget. [ScanCommand] makes it; [ScanRun] runs it. A new option that changes the scan lands
 * in [plan]; one that changes only how kmap runs it gets a field here.
 */
internal data class ScanOptions(
    val plan: ScanPlan,
    val expectations: Expectations?,
    val expectFile: String?,
    val baseline: Baseline?,
    val baselineFile: String?,
    val saveBaseline: String?,
    val verbosity: Int,
    val debugging: Int,
    val showReason: Boolean,
    val openOnly: Boolean,
    val noProgress: Boolean,
    val scriptTimeout: Duration?,
)
