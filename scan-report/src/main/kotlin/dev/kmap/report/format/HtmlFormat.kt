package dev.kmap.report.format

import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStats
import dev.kmap.report.format.internal.NmapText
import dev.kmap.report.format.internal.PortSummary
import dev.kmap.report.format.internal.ScriptText
import dev.kmap.report.format.internal.Xml
import java.util.EnumMap
import kotlin.math.ln
import kotlin.math.max

/**
 * A self-contained HTML report (`--html`): no scripts, no external files; inline CSS and an
 * inline SVG summary chart (hosts up and down, ports per state, the most common open ports).
 *
 * Streamed like the other formats: the page head at [start], a section per host as it
 * finishes (the same hosts and folded states as the normal output), the summary and the
 * closing tags at [finish]. The summary comes last in the file but first on screen (CSS
 * `order`), so only counters are buffered: per-state port counts, hosts up and down, and the
 * number of hosts per open port (at most one entry per port and protocol).
 *
 * ```kotlin
 * HtmlFormat(ReportOptions(version = "0.1.0")).start(plan, System.currentTimeMillis(), writer)
 * ```
 */
public class HtmlFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    private var portScan = true
    private var addresses = 0L
    private val states = EnumMap<PortState, Long>(PortState::class.java)
    private val openPorts = HashMap<Pair<Protocol, Int>, Int>()
    private val services = HashMap<Pair<Protocol, Int>, String>()
    private var unresolved = 0L

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        portScan = NmapText.listsPorts(plan, options)
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        out.append("<meta name=\"generator\" content=\"kmap ${e(options.version)}\">\n")
        out.append("<title>kmap report: ${e(options.commandLine)}</title>\n<style>\n$CSS</style>\n</head>\n<body>\n<main>\n")
        out.append("<header><h1>kmap scan report</h1>\n<p class=\"meta\">kmap ${e(options.version)}, started ")
        out.append(e(NmapText.ctime(startedAtMillis, options.zone))).append("<br><code>").append(e(options.commandLine)).append("</code></p></header>\n")
    }

    override fun host(result: HostResult, out: Appendable) {
        val error = result.error
        if (error != null) {
            unresolved++
            out.append("<section class=\"host error\"><h2>${e(result.host.name ?: result.host.address.toString())} <span class=\"badge error\">unresolved</span></h2>")
            out.append("<p>${e(error)}</p></section>\n")
            return
        }
        addresses++
        for (p in result.ports) {
            states.merge(p.state, 1L, Long::plus)
            if (p.state == PortState.OPEN) {
                val key = p.protocol to p.port
                openPorts.merge(key, 1, Int::plus)
                p.service?.let { services[key] = it }
            }
        }
        val title = e(NmapText.title(result))
        val reason = if (options.showReason) ", received ${e(result.reason)}" else ""
        when (result.status) {
            HostStatus.DOWN, HostStatus.UNKNOWN -> {
                if (options.verbosity == 0) return
                val label = if (result.status == HostStatus.DOWN) "down" else "unknown"
                out.append("<section class=\"host $label\"><h2>$title <span class=\"badge $label\">$label</span></h2><p>Host $label$reason.</p></section>\n")
                return
            }
            HostStatus.UP -> Unit
        }
        if (portScan && PortSummary.hiddenByOpenOnly(result, options)) return
        out.append("<section class=\"host up\"><h2>$title <span class=\"badge up\">up</span></h2>\n")
        val latency = result.latencyMicros?.let { " (${NmapText.seconds(it)}s latency)" } ?: ""
        out.append("<p>Host is up$reason$latency.")
        if (result.timedOut) out.append(" <strong>The host timed out: its port results are partial.</strong>")
        out.append("</p>\n")
        if (portScan) ports(result, out)
        if (result.hostScripts.isNotEmpty()) {
            out.append("<h3>Host script results</h3>\n<pre class=\"script\">${e(ScriptText.lines(result.hostScripts).joinToString("\n"))}</pre>\n")
        }
        out.append("</section>\n")
    }

    private fun ports(result: HostResult, out: Appendable) {
        val summary = PortSummary(result, options)
        if (summary.ignored.isNotEmpty()) {
            out.append("<p class=\"notshown\">Not shown: ")
            out.append(summary.ignored.joinToString(", ") { i ->
                e("${i.count} ${i.state.label} ports (${NmapText.reasonSummary(i.reasons.map { it.reason to it.count })})")
            })
            out.append("</p>\n")
        }
        if (summary.shown.isEmpty()) return
        out.append("<table><thead><tr><th>Port</th><th>State</th><th>Service</th><th>Reason</th></tr></thead><tbody>\n")
        for (p in summary.shown) {
            out.append("<tr class=\"${cssClass(p.state)}\"><td>${p.port}/${p.protocol.label}</td><td>${e(p.state.label)}</td>")
            out.append("<td>${e(p.service ?: "unknown")}</td><td>${e(p.reason)}</td></tr>\n")
            if (p.scripts.isNotEmpty()) out.append("<tr class=\"script\"><td colspan=\"4\"><pre>${e(ScriptText.lines(p.scripts).joinToString("\n"))}</pre></td></tr>\n")
        }
        out.append("</tbody></table>\n")
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        out.append("<section class=\"summary\"><h2>Summary</h2>\n")
        if (stats.interrupted) out.append("<p class=\"warning\">The scan was interrupted: the results are partial.</p>\n")
        out.append("<p>${NmapText.addressSummary(addresses, stats.hostsUp)} scanned in ${NmapText.elapsed(stats.elapsedMillis)} seconds")
        if (unresolved > 0) out.append("; $unresolved name${if (unresolved == 1L) "" else "s"} could not be resolved")
        out.append(".</p>\n")
        chart(stats, out)
        if (openPorts.isNotEmpty()) {
            out.append("<h3>Most common open ports</h3>\n<table><thead><tr><th>Port</th><th>Service</th><th>Hosts</th></tr></thead><tbody>\n")
            for ((key, n) in topOpenPorts()) {
                out.append("<tr class=\"open\"><td>${key.second}/${key.first.label}</td><td>${e(services[key] ?: "unknown")}</td><td>$n</td></tr>\n")
            }
            out.append("</tbody></table>\n")
        }
        out.append("</section>\n</main>\n</body>\n</html>\n")
    }

    private fun topOpenPorts() = openPorts.entries
        .sortedWith(compareByDescending<Map.Entry<Pair<Protocol, Int>, Int>> { it.value }.thenBy { it.key.first }.thenBy { it.key.second })
        .take(TOP_PORTS).map { it.key to it.value }

    /** Horizontal bars: hosts by status (linear), then ports by state (log scale, counts printed). */
    private fun chart(stats: ScanStats, out: Appendable) {
        val unknown = (addresses - stats.hostsUp - stats.hostsDown).coerceAtLeast(0)
        val hostBars = listOf(Triple("hosts up", stats.hostsUp, "up"), Triple("hosts down", stats.hostsDown, "down"), Triple("hosts unknown", unknown, "unknown"))
            .filter { it.second > 0 || it.third != "unknown" }
        val portBars = states.entries.map { Triple("${it.key.label} ports", it.value, cssClass(it.key)) }
        val rows = hostBars.size + portBars.size
        val height = rows * BAR_STEP + 30
        out.append("<svg class=\"chart\" role=\"img\" aria-label=\"Summary chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"$height\" viewBox=\"0 0 640 $height\">\n")
        var y = 10
        val maxHosts = max(1L, hostBars.maxOf { it.second })
        for ((label, n, css) in hostBars) {
            bar(out, y, label, n, css, n.toDouble() / maxHosts)
            y += BAR_STEP
        }
        if (portBars.isNotEmpty()) {
            val maxPorts = ln(1.0 + portBars.maxOf { it.second })
            for ((label, n, css) in portBars) {
                bar(out, y, label, n, css, ln(1.0 + n) / maxPorts)
                y += BAR_STEP
            }
            out.append("<text x=\"150\" y=\"${y + 12}\" class=\"note\">port bars on a log scale</text>\n")
        }
        out.append("</svg>\n")
    }

    private fun bar(out: Appendable, y: Int, label: String, n: Long, css: String, fraction: Double) {
        val width = if (n == 0L) 0 else max(2, (fraction * BAR_WIDTH).toInt())
        out.append("<text x=\"140\" y=\"${y + 14}\" text-anchor=\"end\">${e(label)}</text>")
        out.append("<rect x=\"150\" y=\"$y\" width=\"$width\" height=\"18\" class=\"$css\"><title>${e(label)}: $n</title></rect>")
        out.append("<text x=\"${150 + width + 6}\" y=\"${y + 14}\">$n</text>\n")
    }

    private fun cssClass(state: PortState) = state.label.replace('|', '-')

    private fun e(text: String) = Xml.escape(text)

    private companion object {
        const val TOP_PORTS = 10
        const val BAR_STEP = 24
        const val BAR_WIDTH = 400
        val CSS = """
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; background: #fafafa; }
            main { display: flex; flex-direction: column; gap: 1em; max-width: 60em; }
            header { order: -2; } .summary { order: -1; }
            section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 1em; }
            h1 { margin: 0; } h2 { font-size: 1.2em; } .meta { color: #666; }
            table { border-collapse: collapse; margin: 0.5em 0; } th, td { text-align: left; padding: 0.2em 1em 0.2em 0; }
            th { border-bottom: 1px solid #ccc; } .notshown, .note { color: #666; font-size: 0.9em; }
            .badge { font-size: 0.75em; padding: 0.1em 0.5em; border-radius: 1em; color: #fff; vertical-align: middle; }
            .badge.up { background: #2e7d32; } .badge.down { background: #757575; } .badge.unknown, .badge.error { background: #c62828; }
            tr.open td:nth-child(2) { color: #2e7d32; font-weight: bold; } .warning { color: #c62828; font-weight: bold; }
            svg text { font-size: 12px; fill: #222; } svg .note { fill: #666; }
            rect.up, rect.open { fill: #2e7d32; } rect.down, rect.closed { fill: #9e9e9e; } rect.unknown { fill: #c62828; }
            rect.filtered, rect.closed-filtered { fill: #ef6c00; } rect.open-filtered, rect.unfiltered { fill: #1565c0; }
        """.trimIndent() + "\n"
    }
}
