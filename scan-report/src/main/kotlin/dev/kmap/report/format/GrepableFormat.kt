package dev.kmap.report.format

import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanStats
import dev.kmap.report.format.internal.NmapText
import dev.kmap.report.format.internal.PortSummary

/**
 * nmap's grepable output (`-oG`), line for line as nmap 7.93 writes it:
 *
 * ```text
 * # kmap 0.1.0 scan initiated Fri Nov 20 22:57:40 2026 as: kmap -sT -p 1-60,18080 127.0.0.1
 * Host: 127.0.0.1 (localhost)	Status: Up
 * Host: 127.0.0.1 (localhost)	Ports: 18080/open/tcp//unknown///	Ignored State: closed (60)
 * # kmap done at Fri Nov 20 22:57:40 2026 -- 1 IP address (1 host up) scanned in 0.03 seconds
 * ```
 *
 * Fields are tab-separated; a port is `port/state/protocol/owner/service/rpc/version/`, with
 * `/` in names replaced by `|`. `Ignored State` appears only when exactly one state is folded
 * (the format has room for one). `-v` adds the `# Ports scanned:` line and `Status: Down` lines.
 *
 * ```kotlin
 * GrepableFormat(ReportOptions(version = "0.1.0")).host(result, System.out)
 * ```
 */
public class GrepableFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    private var portScan = true
    private var addresses = 0L

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        portScan = NmapText.listsPorts(plan, options)
        out.append("# kmap ${options.version} scan initiated ${NmapText.ctime(startedAtMillis, options.zone)} as: ${options.commandLine}\n")
        if (options.verbosity > 0) {
            val scanned = NmapText.portScans(plan).map { it.protocol }.toSet()
            fun field(label: String, protocol: Protocol): String {
                val ports = if (protocol in scanned) plan.ports[protocol] else null
                return "$label(${ports?.size ?: 0};${ports ?: ""})"
            }
            out.append("# Ports scanned: ${field("TCP", Protocol.TCP)} ${field("UDP", Protocol.UDP)} SCTP(0;) PROTOCOLS(0;)\n")
        }
    }

    override fun host(result: HostResult, out: Appendable) {
        if (result.error != null) return
        addresses++
        // nmap prints the reverse DNS name here (empty with -n), not the name the target was given as
        val prefix = "Host: ${result.host.address} (${clean(result.reverseName ?: "")})"
        when (result.status) {
            HostStatus.DOWN -> { if (options.verbosity > 0) out.append("$prefix\tStatus: Down\n"); return }
            HostStatus.UNKNOWN -> { if (options.verbosity > 0) out.append("$prefix\tStatus: Unknown\n"); return }
            HostStatus.UP -> Unit
        }
        if (portScan && PortSummary.hiddenByOpenOnly(result, options)) return
        out.append("$prefix\tStatus: Up\n")
        if (!portScan) return
        val summary = PortSummary(result, options)
        out.append("$prefix\tPorts: ")
        out.append(summary.shown.joinToString(", ") { p ->
            val s = p.serviceInfo
            "${p.port}/${p.state.label}/${p.protocol.label}//${clean(s?.displayName ?: p.service ?: "unknown")}//${clean(s?.versionText ?: "")}/"
        })
        summary.singleIgnored?.let { out.append("\tIgnored State: ${it.state.label} (${it.count})") }
        out.append('\n')
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        if (stats.interrupted) out.append("# Scan interrupted: the results above are partial.\n")
        out.append("# kmap done at ${NmapText.ctime(stats.finishedAtMillis, options.zone)} -- ")
        out.append("${NmapText.addressSummary(addresses, stats.hostsUp)} scanned in ${NmapText.elapsed(stats.elapsedMillis)} seconds\n")
    }

    /** Grepable fields cannot hold their own separators: nmap writes `|` for `/`; tabs and newlines become spaces. */
    private fun clean(text: String) = text.replace('/', '|').replace('\t', ' ').replace('\n', ' ').replace('\r', ' ')
}
