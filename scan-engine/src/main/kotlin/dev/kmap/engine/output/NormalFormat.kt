package dev.kmap.engine.output

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStats
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

/**
 * nmap's normal output (`-oN`): a report per host with a PORT/STATE/SERVICE table, where a state
 * shared by many ports is folded into one "Not shown" line as nmap does.
 * [verbose] also lists hosts found down; [showReason] adds the REASON column (`--reason`);
 * [openOnly] lists only (possibly) open ports (`--open`).
 *
 * ```kotlin
 * NormalFormat(verbose = false, showReason = true, openOnly = false).host(result, System.out)
 * ```
 */
public class NormalFormat(
    private val verbose: Boolean,
    private val showReason: Boolean,
    private val openOnly: Boolean,
    private val version: String = "",
) : ReportFormatter {
    private var hostsScanned = 0L

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        val time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT)
            .format(Instant.ofEpochMilli(startedAtMillis).atZone(ZoneId.systemDefault()))
        out.append("Starting kmap ${version.ifEmpty { "" }} at $time\n".replace("  ", " "))
    }

    override fun host(result: HostResult, out: Appendable) {
        hostsScanned++
        val h = result.host
        val title = when {
            result.reverseName != null -> "${result.reverseName} (${h.address})"
            h.name != null -> "${h.name} (${h.address})"
            else -> h.address.toString()
        }
        if (result.error != null) {
            out.append("Failed to resolve \"${h.name ?: h.address}\".\n")
            return
        }
        if (result.status != HostStatus.UP) {
            if (verbose) out.append("kmap scan report for $title [host down${reasonSuffix(result.reason)}]\n")
            return
        }
        val shown = result.ports.filter { !openOnly || it.state == PortState.OPEN || it.state == PortState.OPEN_FILTERED }
        if (openOnly && shown.isEmpty()) return
        out.append("kmap scan report for $title\n")
        val latency = result.latencyMicros?.let { " (${seconds(it)}s latency)" } ?: ""
        out.append("Host is up${if (showReason) reasonSuffix(result.reason) else ""}$latency.\n")
        if (result.timedOut) out.append("Skipping host $title due to host timeout\n")
        if (result.ports.isEmpty()) { out.append("\n"); return }
        val folded = foldedStates(result.ports)
        val rows = shown.filter { it.state !in folded }
        if (rows.isEmpty() && !openOnly) out.append("All ${result.ports.size} scanned ports on $title are in ignored states.\n")
        for ((key, ports) in result.ports.filter { it.state in folded }.groupBy { it.state to it.protocol }) {
            val reasons = ports.groupingBy { it.reason }.eachCount().entries.sortedByDescending { it.value }
            val why = reasons.singleOrNull()?.key ?: reasons.joinToString(", ") { "${it.value} ${it.key}" }
            out.append("Not shown: ${ports.size} ${key.first.label} ${key.second.label} ports ($why)\n")
        }
        if (rows.isNotEmpty()) table(rows, out)
        out.append("\n")
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        if (stats.interrupted) out.append("Scan interrupted: results above are partial.\n")
        val seconds = String.format(Locale.ROOT, "%.2f", stats.elapsedMillis / 1000.0)
        val n = hostsScanned
        out.append("kmap done: $n IP address${if (n == 1L) "" else "es"} (${stats.hostsUp} host${if (stats.hostsUp == 1L) "" else "s"} up) scanned in $seconds seconds\n")
    }

    private fun table(rows: List<PortResult>, out: Appendable) {
        val portCol = maxOf(9, rows.maxOf { "${it.port}/${it.protocol.label}".length } + 1)
        val stateCol = maxOf(6, rows.maxOf { it.state.label.length } + 1)
        val serviceCol = maxOf(8, rows.maxOf { (it.service ?: "unknown").length } + 1)
        out.append("PORT".padEnd(portCol)).append("STATE".padEnd(stateCol))
        out.append(if (showReason) "SERVICE".padEnd(serviceCol) + "REASON" else "SERVICE").append('\n')
        for (r in rows) {
            out.append("${r.port}/${r.protocol.label}".padEnd(portCol)).append(r.state.label.padEnd(stateCol))
            val service = r.service ?: "unknown"
            out.append(if (showReason) service.padEnd(serviceCol) + r.reason else service).append('\n')
        }
    }

    private fun reasonSuffix(reason: String) = ", received $reason"

    /** nmap prints latencies with two significant digits: 0.000060s, 0.0012s. */
    private fun seconds(micros: Long): String =
        java.math.BigDecimal(micros.coerceAtLeast(1)).movePointLeft(6).round(java.math.MathContext(2)).toPlainString()

    /** nmap folds a non-open state into "Not shown" when more than 25 ports share it. */
    private fun foldedStates(ports: List<PortResult>): Set<PortState> =
        ports.groupingBy { it.state }.eachCount()
            .filter { (state, count) -> state != PortState.OPEN && count > FOLD_THRESHOLD }.keys

    private companion object {
        const val FOLD_THRESHOLD = 25
    }
}
