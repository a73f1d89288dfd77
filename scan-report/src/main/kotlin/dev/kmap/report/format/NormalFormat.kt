package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanStats
import dev.kmap.report.format.internal.NmapText
import dev.kmap.report.format.internal.PortSummary
import dev.kmap.report.format.internal.ScriptText

/**
 * nmap's normal output: a report per host with a PORT/STATE/SERVICE table, states shared by
 * many ports folded into one "Not shown" line, as nmap 7.93 prints them.
 *
 * Two flavours, as in nmap: [interactive] is what the terminal shows (`Starting kmap … at`,
 * `kmap done: …`); otherwise it is the `-oN` file (`# kmap … scan initiated … as: …` and
 * `# kmap done at … -- …` comment lines). `-v` also lists hosts found down, `--reason` adds
 * the REASON column, script results follow their port's row (`|`/`|_` lines) and host scripts
 * come under "Host script results:", `--open` lists only ports that may be open and leaves out hosts without
 * any (see [ReportOptions]).
 *
 * ```kotlin
 * val f = NormalFormat(ReportOptions(showReason = true), interactive = true)
 * f.start(plan, System.currentTimeMillis(), System.out)
 * ```
 */
public class NormalFormat(
    private val options: ReportOptions = ReportOptions(),
    private val interactive: Boolean = false,
) : ReportFormatter {
    private var addresses = 0L
    private var portScan = true
    private var listScan = false
    private var startedAt = 0L
    private var versions = false

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        portScan = NmapText.listsPorts(plan, options)
        versions = plan.serviceDetection != null
        listScan = plan.listOnly
        startedAt = startedAtMillis
        if (interactive) {
            out.append("Starting kmap ${options.version} at ${NmapText.shortTime(startedAtMillis, options.zone)}\n")
        } else {
            out.append("# kmap ${options.version} scan initiated ${NmapText.ctime(startedAtMillis, options.zone)} as: ${options.commandLine}\n")
        }
    }

    override fun host(result: HostResult, out: Appendable) {
        val title = NmapText.title(result)
        if (result.error != null) {
            out.append("Failed to resolve \"${result.host.name ?: result.host.address}\".\n")
            return
        }
        addresses++
        if (listScan) { // -sL: every target, as nmap lists them
            out.append("kmap scan report for $title\n")
            return
        }
        when (result.status) {
            HostStatus.DOWN -> {
                if (options.verbosity > 0) out.append("kmap scan report for $title [host down${reason(result)}]\n")
                return
            }
            HostStatus.UNKNOWN -> {
                if (options.verbosity > 0) out.append("kmap scan report for $title [host state unknown: the scan stopped first]\n")
                return
            }
            HostStatus.UP -> Unit
        }
        if (portScan && PortSummary.hiddenByOpenOnly(result, options)) return
        out.append("kmap scan report for $title\n")
        val latency = result.latencyMicros?.let { " (${NmapText.seconds(it)}s latency)" } ?: ""
        out.append("Host is up${reason(result)}$latency.\n")
        val rdns = result.reverseName
        if (result.host.name != null && rdns != null && !rdns.equals(result.host.name, ignoreCase = true)) {
            out.append("rDNS record for ${result.host.address}: $rdns\n")
        }
        if (!portScan) { hostFacts(result, out); hostScripts(result, out); return }
        if (options.verbosity > 1 || options.debugging > 0) {
            val seconds = (result.finishedAtMillis - result.startedAtMillis).coerceAtLeast(0) / 1000
            out.append("Scanned at ${NmapText.longTime(result.startedAtMillis, options.zone)} for ${seconds}s\n")
        }
        if (result.timedOut) out.append("Skipping host $title due to host timeout\n")
        ports(result, title, out)
        hostFacts(result, out)
        hostScripts(result, out)
    }

    /** nmap's lines after the port table: the MAC address and OS details; kmap adds the DNS names seen. */
    private fun hostFacts(result: HostResult, out: Appendable) {
        result.mac?.let { out.append("MAC Address: ${it.uppercase()}\n") }
        val others = result.hostnames.filter { it != result.host.name }
        if (others.isNotEmpty()) out.append("Other names: ${others.joinToString(", ")}\n")
        if (result.os.isNotEmpty()) out.append("OS details: ${result.os.joinToString(", ") { "${it.name} (${it.accuracy}%, ${it.method})" }}\n")
    }

    private fun hostScripts(result: HostResult, out: Appendable) {
        if (result.hostScripts.isEmpty()) return
        out.append("Host script results:\n")
        ScriptText.lines(result.hostScripts).forEach { out.append(it).append('\n') }
        out.append('\n')
    }

    private fun ports(result: HostResult, title: String, out: Appendable) {
        val summary = PortSummary(result, options)
        if (summary.total == 0) {
            out.append("0 ports scanned on $title\n\n")
            return
        }
        if (summary.allIgnored) {
            out.append("All ${summary.total} scanned ports on $title are in ignored states.\n")
        }
        if (summary.ignored.isNotEmpty()) {
            out.append("Not shown: ")
            out.append(
                summary.ignored.flatMap { ignored ->
                    ignored.reasons.groupBy { it.protocol }.map { (protocol, reasons) ->
                        val n = reasons.sumOf { it.count }
                        "$n ${ignored.state.label} ${protocol.label} port${if (n == 1) "" else "s"} " +
                            "(${NmapText.reasonSummary(reasons.map { it.reason to it.count })})"
                    }
                }.joinToString(", "),
            )
            out.append('\n')
        } else {
            out.append('\n')
        }
        if (summary.shown.isNotEmpty()) table(summary.shown, out)
        if (versions) serviceInfo(summary.shown, out)
        out.append('\n')
    }

    /** nmap's "Service Info:" line: host names, OS types, device types and OS/hardware CPEs the services revealed. */
    private fun serviceInfo(rows: List<PortResult>, out: Appendable) {
        val infos = rows.mapNotNull { it.serviceInfo }
        val parts = listOfNotNull(
            infos.mapNotNull { it.hostname }.distinct().takeIf { it.isNotEmpty() }?.let { "Host${if (it.size > 1) "s" else ""}: ${it.joinToString(", ")}" },
            infos.mapNotNull { it.osType }.distinct().takeIf { it.isNotEmpty() }?.let { "OS${if (it.size > 1) "s" else ""}: ${it.joinToString(", ")}" },
            infos.mapNotNull { it.deviceType }.distinct().takeIf { it.isNotEmpty() }?.let { "Device${if (it.size > 1) "s" else ""}: ${it.joinToString(", ")}" },
            infos.flatMap { it.cpe }.filter { it.startsWith("cpe:/o") || it.startsWith("cpe:/h") }.distinct().takeIf { it.isNotEmpty() }?.let { "CPE: ${it.joinToString(", ")}" },
        )
        if (parts.isNotEmpty()) out.append("Service Info: ${parts.joinToString("; ")}\n")
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        if (versions) out.append(if (interactive) "Service detection performed.\n" else "# Service detection performed.\n")
        val elapsed = NmapText.elapsed(stats.elapsedMillis)
        val summary = NmapText.addressSummary(addresses, stats.hostsUp)
        if (interactive) {
            if (stats.interrupted) out.append("Scan interrupted: the results above are partial.\n")
            NmapText.completeness(stats)?.let { out.append(it).append('\n') }
            out.append("kmap done: $summary scanned in $elapsed seconds\n")
        } else {
            if (stats.interrupted) out.append("# Scan interrupted: the results above are partial.\n")
            NmapText.completeness(stats)?.let { out.append("# ").append(it).append('\n') }
            out.append("# kmap done at ${NmapText.ctime(stats.finishedAtMillis, options.zone)} -- $summary scanned in $elapsed seconds\n")
        }
    }

    private fun reason(result: HostResult) = if (options.showReason) ", received ${result.reason}" else ""

    /** nmap's table: every column as wide as its widest cell plus one space, the last unpadded. */
    private fun table(rows: List<PortResult>, out: Appendable) {
        val header = buildList { add("PORT"); add("STATE"); add("SERVICE"); if (options.showReason) add("REASON"); if (versions) add("VERSION") }
        val cells = rows.map { r ->
            buildList {
                add("${r.port}/${r.protocol.label}"); add(r.state.label); add(r.serviceInfo?.displayName ?: r.service ?: "unknown")
                if (options.showReason) add(r.reason)
                if (versions) add(r.serviceInfo?.versionText ?: "")
            }
        }
        val widths = header.indices.map { c -> maxOf(header[c].length, cells.maxOf { it[c].length }) + 1 }
        for ((i, line) in (listOf(header) + cells).withIndex()) {
            val text = StringBuilder()
            line.forEachIndexed { c, cell -> text.append(if (c == line.lastIndex) cell else cell.padEnd(widths[c])) }
            out.append(if (versions) text.trimEnd() else text)
            out.append('\n')
            if (i > 0) ScriptText.lines(rows[i - 1].scripts).forEach { out.append(it).append('\n') }
        }
    }
}
