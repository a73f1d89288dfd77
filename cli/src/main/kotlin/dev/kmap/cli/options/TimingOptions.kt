package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.double
import com.github.ajalt.clikt.parameters.types.int

/** Timing and performance: nmap's template and its fine-tuning options. */
internal class TimingOptions : OptionGroup("Timing and performance") {
    val template by option("--timing", "-T", metavar = "0-5", help = "Timing template: -T0 paranoid .. -T5 insane (default -T3)").timingTemplate()
    val minRate by option("--min-rate", metavar = "N", help = "Send at least N probes per second").double()
    val maxRate by option("--max-rate", metavar = "N", help = "Send at most N probes per second").double()
    val maxRetries by option("--max-retries", metavar = "N", help = "Retransmissions per probe at most").int()
    val hostTimeout by option("--host-timeout", metavar = "TIME", help = "Give up on a host after TIME (30s, 5m)").time()
    val scanDelay by option("--scan-delay", metavar = "TIME", help = "Wait TIME between probes").time()
    val maxScanDelay by option("--max-scan-delay", metavar = "TIME", help = "Longest adaptive delay between probes").time()
    val minRtt by option("--min-rtt-timeout", metavar = "TIME", help = "Shortest probe timeout").time()
    val maxRtt by option("--max-rtt-timeout", metavar = "TIME", help = "Longest probe timeout").time()
    val initialRtt by option("--initial-rtt-timeout", metavar = "TIME", help = "Probe timeout before RTTs are known").time()
    val minParallelism by option("--min-parallelism", metavar = "N", help = "Probes in flight at least").int()
    val maxParallelism by option("--max-parallelism", metavar = "N", help = "Probes in flight at most").int()
}
