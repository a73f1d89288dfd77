package dev.kmap.report.format

import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
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
    private var line = StringBuilder(INITIAL)

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
        // a sweep writes a line or two for each of 65536 hosts: built in one reused buffer, one write per host
        val b = line
        b.setLength(0)
        when (result.status) {
            HostStatus.DOWN -> { if (options.verbosity > 0) out.append(prefix(result, b).append("\tStatus: Down\n")); return }
            HostStatus.UNKNOWN -> { if (options.verbosity > 0) out.append(prefix(result, b).append("\tStatus: Unknown\n")); return }
            HostStatus.UP -> Unit
        }
        if (portScan && PortSummary.hiddenByOpenOnly(result, options)) return
        val prefixEnd = prefix(result, b).length
        b.append("\tStatus: Up\n")
        if (portScan) {
            val summary = PortSummary(result, options)
            b.append(b, 0, prefixEnd).append("\tPorts: ") // the same `Host: ...` prefix again
            val shown = summary.shown
            for (i in shown.indices) {
                if (i > 0) b.append(", ")
                port(shown[i], b)
            }
            summary.singleIgnored?.let { b.append("\tIgnored State: ").append(it.state.label).append(" (").append(it.count).append(')') }
            b.append('\n')
        }
        out.append(b)
        if (b.length > MAX_KEPT) line = StringBuilder(INITIAL)
    }

    /** `Host: ADDRESS (NAME)`: nmap prints the reverse DNS name here (empty with -n), not the name the target was given as. */
    private fun prefix(result: HostResult, b: StringBuilder): StringBuilder {
        b.append("Host: ").append(result.host.address.toString()).append(" (")
        return clean(result.reverseName, b).append(')')
    }

    /** `port/state/protocol/owner/service/rpc/version/` */
    private fun port(p: PortResult, b: StringBuilder) {
        val s = p.serviceInfo
        b.append(p.port).append('/').append(p.state.label).append('/').append(p.protocol.label).append("//")
        clean(s?.displayName ?: p.service ?: "unknown", b).append("//")
        clean(s?.versionText, b).append('/')
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        if (stats.interrupted) out.append("# Scan interrupted: the results above are partial.\n")
        out.append("# kmap done at ${NmapText.ctime(stats.finishedAtMillis, options.zone)} -- ")
        out.append("${NmapText.addressSummary(addresses, stats.hostsUp)} scanned in ${NmapText.elapsed(stats.elapsedMillis)} seconds\n")
    }

    /** Grepable fields cannot hold their own separators: nmap writes `|` for `/`; tabs and newlines become spaces. */
    private fun clean(text: String?, b: StringBuilder): StringBuilder {
        if (text == null) return b
        for (c in text) b.append(if (c == '/') '|' else if (c == '\t' || c == '\n' || c == '\r') ' ' else c)
        return b
    }

    private companion object {
        const val INITIAL = 256

        /** A host with thousands of open ports makes a long line: its buffer is not kept for the next host. */
        const val MAX_KEPT = 64 * 1024
    }
}
