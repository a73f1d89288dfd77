package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanStats
import dev.kmap.report.format.internal.NmapText
import dev.kmap.report.format.internal.PortSummary

/**
 * CSV (`--csv`): a header row, then one row per scanned port (all states; only the ports that
 * may be open with `--open`), written as each host finishes. A host without port rows (down,
 * unresolved, a ping scan) gets one row with empty port columns. Columns:
 *
 * `address,hostname,status,host_reason,protocol,port,state,reason,service,rtt_micros`
 *
 * Fields are quoted as RFC 4180 says (when they hold a comma, quote or line break); lines end
 * with `\n`. Nothing is written at [finish], so a stopped scan leaves whole rows.
 *
 * ```kotlin
 * CsvFormat().start(plan, System.currentTimeMillis(), writer) // address,hostname,status,…
 * ```
 */
public class CsvFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        out.append(HEADER.joinToString(",")).append('\n')
    }

    override fun host(result: HostResult, out: Appendable) {
        val hostFields = listOf(
            result.host.address.toString(),
            NmapText.displayName(result) ?: "",
            if (result.error != null) "error" else result.status.name.lowercase(),
            result.error ?: result.reason,
        )
        val ports = if (options.openOnly) result.ports.filter { PortSummary.mayBeOpen(it.state) } else result.ports
        if (ports.isEmpty()) {
            row(hostFields + List(6) { "" }, out)
            return
        }
        for (p in ports) row(hostFields + portFields(p), out)
    }

    override fun finish(stats: ScanStats, out: Appendable) {}

    private fun portFields(p: PortResult) =
        listOf(p.protocol.label, p.port.toString(), p.state.label, p.reason, p.service ?: "", p.rttMicros?.toString() ?: "")

    private fun row(fields: List<String>, out: Appendable) {
        fields.forEachIndexed { i, f ->
            if (i > 0) out.append(',')
            if (f.any { it == ',' || it == '"' || it == '\n' || it == '\r' }) out.append('"').append(f.replace("\"", "\"\"")).append('"') else out.append(f)
        }
        out.append('\n')
    }

    private companion object {
        val HEADER = listOf("address", "hostname", "status", "host_reason", "protocol", "port", "state", "reason", "service", "rtt_micros")
    }
}
