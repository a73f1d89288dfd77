package dev.kmap.report.internal

import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanEvent
import dev.kmap.report.Baseline
import dev.kmap.report.ScanSink

/**
 * `--save-baseline FILE`: keeps only the open ports of hosts found up (not whole results) and
 * writes them as a [Baseline] when the scan completes. The file is reserved before the first
 * packet; after an interrupted scan (or, with [strict], any target that could not be scanned)
 * nothing is written and a file that did not exist before is removed again.
 */
internal class BaselineSink(val path: String, private val strict: Boolean) : ScanSink {
    private val target = FileTarget(path, "--save-baseline")
    private val hosts = sortedMapOf<dev.kmap.dsl.IpAddress, List<String>>()
    private var failedHosts = 0
    var written = false
        private set

    override fun open() { target.reserve() }

    override fun event(event: ScanEvent) {
        when (event) {
            is ScanEvent.HostFinished -> {
                val h = event.result
                if (h.error != null) failedHosts++
                else if (h.status == HostStatus.UP) hosts[h.host.address] = Baseline.openPorts(h)
            }
            is ScanEvent.Finished -> if (!event.stats.interrupted && !(strict && failedHosts > 0)) {
                target.begin().use { it.write(Baseline(hosts = hosts.entries.associate { (a, p) -> a.toString() to p }).toJson()) }
                written = true
            }
            else -> Unit
        }
    }

    override fun close(started: Boolean) { if (!written) target.abandon() }
}
