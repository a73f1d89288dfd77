package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.option

/** Expectations (policy as code) and baselines. */
internal class ExpectOptions : OptionGroup("Expectations") {
    val expectFile by option("--expect", metavar = "FILE", help = "Check the result against the expectations in FILE (exit 3 if violated)")
    val baselineFile by option("--baseline", metavar = "FILE", help = "Baseline for no-change-from-baseline (JSON from --save-baseline)")
    val saveBaseline by option("--save-baseline", metavar = "FILE", help = "Write the open ports found as a baseline to FILE")
}
