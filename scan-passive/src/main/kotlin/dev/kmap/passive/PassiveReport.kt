package dev.kmap.passive

import dev.kmap.engine.ScanReport

/**
 * The result of a passive run: [report] in the same model as an active scan (its plan is an
 * empty scan plan: nothing was sent), and the capture totals in [stats].
 *
 * ```kotlin
 * val r = passive(passive { read("capture.pcap") })
 * r.report.hosts.forEach { println(it.host) }; println(r.stats.flows)
 * ```
 */
public data class PassiveReport(val report: ScanReport, val stats: CaptureStats)
