package dev.kmap.report.format

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStats
import dev.kmap.engine.ScriptOutput
import dev.kmap.report.Violation
import dev.kmap.report.format.internal.NmapText
import dev.kmap.report.format.internal.ScriptText
import dev.kmap.report.format.internal.Xml
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Locale

/**
 * JUnit XML (`--junit`) for CI: a `<testsuite>` per host with one `<testcase>` for the host's
 * status and one per port found open (or open|filtered), and a last suite `kmap` whose case
 * `scan completed` is an error when the scan was interrupted. A host that timed out is a
 * failure, a name that did not resolve an error; hosts found down are listed (as skipped) only
 * with `-v`, as nmap lists them. The layout is the Ant/Surefire one every CI reads
 * (`testsuites` > `testsuite` > `properties`, `testcase` > `failure|error|skipped`,
 * `system-out`); times are seconds, timestamps UTC.
 *
 * When expectations were checked, a suite `kmap expectations` holds one test case per rule
 * (named as in the expectation file), a failure listing that rule's violations when it is broken.
 *
 * Streamed: the root at [start], a whole suite as each host finishes, the scan's suite and the
 * closing tag at [finish].
 *
 * ```kotlin
 * JunitFormat(ReportOptions(version = "0.1.0")).start(plan, System.currentTimeMillis(), writer)
 * ```
 */
public class JunitFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    private class Case(val name: String, val time: Double, val outcome: String? = null, val message: String? = null, val out: String? = null)

    private var scanStart = 0L

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        scanStart = startedAtMillis
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        out.append("<testsuites name=\"${e("kmap ${options.version}: ${options.commandLine}")}\">\n")
    }

    override fun host(result: HostResult, out: Appendable) {
        val title = if (result.error != null) result.host.name ?: result.host.address.toString() else NmapText.title(result)
        val seconds = (result.finishedAtMillis - result.startedAtMillis).coerceAtLeast(0) / 1000.0
        val status = when {
            result.error != null -> Case("host status", 0.0, "error", result.error)
            result.status == HostStatus.DOWN -> {
                if (options.verbosity == 0) return
                Case("host status", seconds, "skipped", "host down (${result.reason})")
            }
            result.status == HostStatus.UNKNOWN -> Case("host status", seconds, "skipped", "the scan stopped before the host was decided")
            result.timedOut -> Case("host status", seconds, "failure", "host timeout: the port results are partial")
            else -> Case("host status", seconds, out = "up (${result.reason})" + scriptsText(result.hostScripts))
        }
        val ports = result.ports.filter { it.state == PortState.OPEN || it.state == PortState.OPEN_FILTERED }.map { p ->
            Case("${p.port}/${p.protocol.label} ${p.state.label} ${p.service ?: "unknown"}", (p.rttMicros ?: 0) / 1e6, out = p.reason + scriptsText(p.scripts))
        }
        val started = if (result.startedAtMillis > 0) result.startedAtMillis else scanStart
        val hostname = if (result.error != null) result.host.name ?: result.host.address.toString() else result.host.address.toString()
        suite(title, hostname, started, seconds, listOf(status) + ports, out)
    }

    override fun expectations(expectations: Expectations, violations: List<Violation>, out: Appendable) {
        val cases = expectations.rules.map { rule ->
            val broken = violations.filter { it.rule == rule.text }
            if (broken.isEmpty()) Case(rule.text, 0.0)
            else Case(rule.text, 0.0, "failure", broken.joinToString("; ") { it.message }, broken.joinToString("\n") { it.message })
        }
        suite("kmap expectations", null, scanStart, 0.0, cases, out)
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        val seconds = stats.elapsedMillis / 1000.0
        val summary = "${NmapText.addressSummary(stats.hostsUp + stats.hostsDown, stats.hostsUp)} scanned in ${NmapText.elapsed(stats.elapsedMillis)} seconds"
        val case = if (stats.interrupted) Case("scan completed", seconds, "error", "the scan was interrupted: the results are partial", summary)
        else Case("scan completed", seconds, out = summary)
        suite("kmap", null, stats.startedAtMillis, seconds, listOf(case), out)
        out.append("</testsuites>\n")
    }

    private fun suite(name: String, hostname: String?, startedAt: Long, seconds: Double, cases: List<Case>, out: Appendable) {
        val classname = if (hostname == null) "kmap" else "host_" + hostname.map { if (it.isLetterOrDigit()) it else '_' }.joinToString("")
        out.append("<testsuite name=\"${e(name)}\" tests=\"${cases.size}\"")
        out.append(" failures=\"${cases.count { it.outcome == "failure" }}\" errors=\"${cases.count { it.outcome == "error" }}\"")
        out.append(" skipped=\"${cases.count { it.outcome == "skipped" }}\" time=\"${time(seconds)}\"")
        out.append(" timestamp=\"${TIMESTAMP.format(Instant.ofEpochMilli(startedAt))}\"")
        if (hostname != null) out.append(" hostname=\"${e(hostname)}\"")
        out.append(">\n")
        for (c in cases) {
            out.append("  <testcase classname=\"$classname\" name=\"${e(c.name)}\" time=\"${time(c.time)}\"")
            if (c.outcome == null && c.out == null) { out.append("/>\n"); continue }
            out.append(">")
            if (c.outcome != null) out.append("<${c.outcome} message=\"${e(c.message ?: "")}\"/>")
            if (c.out != null) out.append("<system-out>${e(c.out)}</system-out>")
            out.append("</testcase>\n")
        }
        out.append("</testsuite>\n")
    }

    private fun scriptsText(scripts: List<ScriptOutput>) =
        if (scripts.isEmpty()) "" else ScriptText.lines(scripts).joinToString("\n", prefix = "\n")

    private fun time(seconds: Double) = String.format(Locale.ROOT, "%.6f", seconds)

    private fun e(text: String) = Xml.escape(text)

    private companion object {
        val TIMESTAMP: DateTimeFormatter = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC)
    }
}
