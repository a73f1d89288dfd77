package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanStats
import dev.kmap.report.format.internal.NmapText
import dev.kmap.report.format.internal.PortSummary
import dev.kmap.report.format.internal.ScriptText
import dev.kmap.report.format.internal.Xml

/**
 * nmap's XML (`-oX`), valid against nmap's DTD (`nmap.dtd`, xmloutputversion 1.05) with
 * nmap 7.93's element order and line layout, so tools that read nmap XML read it.
 *
 * The DTD only allows `scanner="nmap"`, so the root says `nmap`; `version` is kmap's and `args`
 * the kmap command line, and the leading comment names kmap. The document is written as the
 * scan goes: the header at [start], one `<host>` as each host finishes, `<runstats>` at
 * [finish] (with `exit="error"` when the scan was interrupted), so a stopped scan still leaves
 * a well-formed file. Hosts found down appear only with `-v`, as in nmap; hosts that could not
 * be resolved become `<target specification=… status="skipped" reason="invalid"/>`. There is no
 * `<times>` element: the engine does not keep per-host RTT variance. Script results are
 * `<script id output>` (with `<elem>`/`<table>` children when structured) under their `<port>`,
 * host scripts under `<hostscript>`.
 *
 * ```kotlin
 * val xml = XmlFormat(ReportOptions(version = "0.1.0", commandLine = "kmap -sT 127.0.0.1"))
 * xml.start(plan, System.currentTimeMillis(), writer)
 * ```
 */
public class XmlFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    private var portScan = true
    private var addresses = 0L

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        val time = NmapText.ctime(startedAtMillis, options.zone)
        val scans = NmapText.portScans(plan)
        portScan = NmapText.listsPorts(plan, options)
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        out.append("<!DOCTYPE nmaprun>\n")
        out.append("<!-- kmap ${Xml.comment(options.version)} scan initiated $time as: ${Xml.comment(options.commandLine)} -->\n")
        out.append("<nmaprun scanner=\"nmap\" args=\"${e(options.commandLine)}\" start=\"${NmapText.epochSeconds(startedAtMillis)}\"")
        out.append(" startstr=\"$time\" version=\"${e(options.version)}\" xmloutputversion=\"1.05\">\n")
        for (type in scans) {
            val ports = plan.ports[type.protocol]
            out.append("<scaninfo type=\"${NmapText.xmlScanType(type)}\" protocol=\"${type.protocol.label}\"")
            out.append(" numservices=\"${ports.size}\" services=\"$ports\"/>\n")
        }
        out.append("<verbose level=\"${options.verbosity}\"/>\n")
        out.append("<debugging level=\"${options.debugging}\"/>\n")
    }

    override fun host(result: HostResult, out: Appendable) {
        if (result.error != null) {
            out.append("<target specification=\"${e(result.host.name ?: result.host.address.toString())}\" status=\"skipped\" reason=\"invalid\"/>\n")
            return
        }
        addresses++
        if (result.status != HostStatus.UP && options.verbosity == 0) return
        if (result.status == HostStatus.UP && portScan && PortSummary.hiddenByOpenOnly(result, options)) return
        out.append("<host")
        if (result.status == HostStatus.UP && portScan) {
            out.append(" starttime=\"${NmapText.epochSeconds(result.startedAtMillis)}\" endtime=\"${NmapText.epochSeconds(result.finishedAtMillis)}\"")
            if (result.timedOut) out.append(" timedout=\"true\"")
        }
        out.append(">")
        val state = when (result.status) { HostStatus.UP -> "up"; HostStatus.DOWN -> "down"; HostStatus.UNKNOWN -> "unknown" }
        out.append("<status state=\"$state\" reason=\"${e(result.reason)}\" reason_ttl=\"0\"/>\n")
        val address = result.host.address
        out.append("<address addr=\"$address\" addrtype=\"${if (address.isV6) "ipv6" else "ipv4"}\"/>\n")
        result.mac?.let { out.append("<address addr=\"${e(it.uppercase())}\" addrtype=\"mac\"/>\n") }
        if (result.status == HostStatus.UP) {
            out.append("<hostnames>\n")
            result.host.name?.let { out.append("<hostname name=\"${e(it)}\" type=\"user\"/>\n") }
            result.reverseName?.let { out.append("<hostname name=\"${e(it)}\" type=\"PTR\"/>\n") }
            result.hostnames.filter { it != result.host.name }.forEach { out.append("<hostname name=\"${e(it)}\" type=\"user\"/>\n") }
            out.append("</hostnames>\n")
            if (portScan) ports(result, out)
            if (result.os.isNotEmpty()) os(result, out)
            if (result.hostScripts.isNotEmpty()) {
                out.append("<hostscript>")
                result.hostScripts.forEach { ScriptText.xml(it, out) }
                out.append("</hostscript>\n")
            }
        }
        out.append("</host>\n")
    }

    private fun ports(result: HostResult, out: Appendable) {
        val summary = PortSummary(result, options)
        out.append("<ports>")
        for (ignored in summary.ignored) {
            out.append("<extraports state=\"${ignored.state.label}\" count=\"${ignored.count}\">\n")
            for (r in ignored.reasons) {
                out.append("<extrareasons reason=\"${e(r.reason)}\" count=\"${r.count}\" proto=\"${r.protocol.label}\" ports=\"${r.portRanges}\"/>\n")
            }
            out.append("</extraports>\n")
        }
        for (p in summary.shown) {
            out.append("<port protocol=\"${p.protocol.label}\" portid=\"${p.port}\">")
            out.append("<state state=\"${p.state.label}\" reason=\"${e(p.reason)}\" reason_ttl=\"0\"/>")
            service(p, out)
            p.scripts.forEach { ScriptText.xml(it, out) }
            out.append("</port>\n")
        }
        out.append("</ports>\n")
    }

    /** nmap's `<service>`: attributes in nmap's order, one `<cpe>` child per CPE name. */
    private fun service(p: PortResult, out: Appendable) {
        val s = p.serviceInfo
        if (s == null) {
            out.append("<service name=\"${e(p.service ?: "unknown")}\" method=\"table\" conf=\"3\"/>")
            return
        }
        out.append("<service name=\"${e(s.name)}\"")
        s.product?.let { out.append(" product=\"${e(it)}\"") }
        s.version?.let { out.append(" version=\"${e(it)}\"") }
        s.extraInfo?.let { out.append(" extrainfo=\"${e(it)}\"") }
        s.hostname?.let { out.append(" hostname=\"${e(it)}\"") }
        s.osType?.let { out.append(" ostype=\"${e(it)}\"") }
        s.deviceType?.let { out.append(" devicetype=\"${e(it)}\"") }
        s.tunnel?.let { out.append(" tunnel=\"${e(it)}\"") }
        out.append(" method=\"${e(s.method)}\" conf=\"${s.confidence}\"")
        if (s.cpe.isEmpty()) { out.append("/>"); return }
        out.append(">")
        s.cpe.forEach { out.append("<cpe>${e(it)}</cpe>") }
        out.append("</service>")
    }

    /** nmap's `<os>`: one `<osmatch>` per guess, with its family as the `<osclass>`. */
    private fun os(result: HostResult, out: Appendable) {
        out.append("<os>")
        result.os.forEachIndexed { i, m ->
            out.append("<osmatch name=\"${e(m.name)}\" accuracy=\"${m.accuracy}\" line=\"$i\">")
            val vendor = m.name.substringBefore(' ')
            out.append("<osclass vendor=\"${e(vendor)}\" osfamily=\"${e(vendor)}\" accuracy=\"${m.accuracy}\"/>")
            out.append("</osmatch>\n")
        }
        out.append("</os>\n")
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        val time = NmapText.ctime(stats.finishedAtMillis, options.zone)
        val elapsed = NmapText.elapsed(stats.elapsedMillis)
        val summary = "kmap done at $time; ${NmapText.addressSummary(addresses, stats.hostsUp)} scanned in $elapsed seconds" +
            (NmapText.completeness(stats)?.let { "; $it" } ?: "")
        out.append("<runstats><finished time=\"${NmapText.epochSeconds(stats.finishedAtMillis)}\" timestr=\"$time\"")
        out.append(" summary=\"${e(summary)}\" elapsed=\"$elapsed\"")
        if (stats.interrupted) {
            out.append(" exit=\"error\" errormsg=\"Scan interrupted: the results are partial\"/>")
        } else {
            out.append(" exit=\"success\"/>")
        }
        out.append("<hosts up=\"${stats.hostsUp}\" down=\"${stats.hostsDown}\" total=\"$addresses\"/>\n")
        out.append("</runstats>\n")
        out.append("</nmaprun>\n")
    }

    private fun e(text: String) = Xml.escape(text)
}
