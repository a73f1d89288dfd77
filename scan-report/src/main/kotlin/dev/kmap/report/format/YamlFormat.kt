package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanStats
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput

/**
 * YAML 1.2 (`--yaml`, `kmap show ID --format yaml`): the data of the JSON format as one YAML
 * document, streamed like it (the header at start, each host as it finishes, `stats` at the end,
 * `interrupted: true` for a stopped scan):
 *
 * ```yaml
 * scanner: kmap
 * version: "0.1.0"
 * args: "kmap -sT -p 22 10.0.0.5"
 * startedAtMillis: 1700000000000
 * hosts:
 *   - address: "10.0.0.5"
 *     status: up
 *     ports:
 *       - {port: 22, protocol: tcp, state: open, reason: "syn-ack", service: "ssh", rttMicros: 120}
 * stats: {startedAtMillis: 1700000000000, ...}
 * ```
 *
 * Every string is a double-quoted scalar with YAML's escapes (`\"`, `\\`, `\n`, `\t`, `\0`,
 * `\xNN`, `\uNNNN`), so no value can break the document. Script output carries its structured
 * elements as a list of `{key, value}` / `{key, table}` nodes.
 *
 * ```kotlin
 * YamlFormat(ReportOptions(version = "0.1.0")).start(plan, System.currentTimeMillis(), writer)
 * ```
 */
public class YamlFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    private var hosts = 0

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        out.append("scanner: kmap\n")
        out.append("version: ").append(q(options.version)).append('\n')
        out.append("args: ").append(q(options.commandLine)).append('\n')
        out.append("startedAtMillis: ").append(startedAtMillis.toString()).append('\n')
    }

    override fun host(result: HostResult, out: Appendable) {
        if (hosts++ == 0) out.append("hosts:\n")
        out.append("  - address: ").append(q(result.host.address.toString())).append('\n')
        out.append("    name: ").append(qn(result.host.name)).append('\n')
        out.append("    status: ").append(status(result.status)).append('\n')
        out.append("    reason: ").append(q(result.reason)).append('\n')
        out.append("    reverseName: ").append(qn(result.reverseName)).append('\n')
        out.append("    latencyMicros: ").append(result.latencyMicros?.toString() ?: "null").append('\n')
        out.append("    startedAtMillis: ").append(result.startedAtMillis.toString()).append('\n')
        out.append("    finishedAtMillis: ").append(result.finishedAtMillis.toString()).append('\n')
        out.append("    timedOut: ").append(result.timedOut.toString()).append('\n')
        out.append("    error: ").append(qn(result.error)).append('\n')
        if (result.ports.isEmpty()) out.append("    ports: []\n") else {
            out.append("    ports:\n")
            result.ports.forEach { port(it, out) }
        }
        if (result.hostScripts.isNotEmpty()) {
            out.append("    hostScripts:\n")
            result.hostScripts.forEach { script(it, "      ", out) }
        }
    }

    private fun port(p: PortResult, out: Appendable) {
        out.append("      - {port: ").append(p.port.toString()).append(", protocol: ").append(p.protocol.label)
            .append(", state: ").append(q(p.state.label)).append(", reason: ").append(q(p.reason))
            .append(", service: ").append(qn(p.service)).append(", rttMicros: ").append(p.rttMicros?.toString() ?: "null")
        if (p.scripts.isEmpty()) { out.append("}\n"); return }
        out.append(",\n         scripts: [\n")
        p.scripts.forEachIndexed { i, s ->
            out.append("           {id: ").append(q(s.id)).append(", output: ").append(q(s.output))
            s.elements?.let { out.append(", elements: "); elements(it.children, out) }
            out.append(if (i == p.scripts.lastIndex) "}]}\n" else "},\n")
        }
    }

    private fun script(s: ScriptOutput, indent: String, out: Appendable) {
        out.append(indent).append("- id: ").append(q(s.id)).append('\n')
        out.append(indent).append("  output: ").append(q(s.output)).append('\n')
        s.elements?.let { out.append(indent).append("  elements: "); elements(it.children, out); out.append('\n') }
    }

    /** A flow sequence of element nodes: `[{key: "a", value: "b"}, {key: null, table: [...]}]`. */
    private fun elements(children: List<ScriptElement>, out: Appendable) {
        out.append('[')
        children.forEachIndexed { i, e ->
            if (i > 0) out.append(", ")
            out.append("{key: ").append(qn(e.key))
            when (e) {
                is ScriptElement.Elem -> out.append(", value: ").append(q(e.value))
                is ScriptElement.Table -> { out.append(", table: "); elements(e.children, out) }
            }
            out.append('}')
        }
        out.append(']')
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        if (hosts == 0) out.append("hosts: []\n")
        out.append("stats: {startedAtMillis: ").append(stats.startedAtMillis.toString())
            .append(", finishedAtMillis: ").append(stats.finishedAtMillis.toString())
            .append(", hostsUp: ").append(stats.hostsUp.toString())
            .append(", hostsDown: ").append(stats.hostsDown.toString())
            .append(", hostsTotal: ").append(stats.hostsTotal.toString())
            .append(", probesSent: ").append(stats.probesSent.toString())
            .append(", interrupted: ").append(stats.interrupted.toString()).append("}\n")
    }

    private fun status(s: HostStatus) = when (s) { HostStatus.UP -> "up"; HostStatus.DOWN -> "down"; HostStatus.UNKNOWN -> "unknown" }

    private fun qn(text: String?): String = if (text == null) "null" else q(text)

    internal companion object {
        /** A YAML double-quoted scalar: escapes for `"`, `\`, control characters and the line/paragraph separators. */
        fun q(text: String): String = buildString(text.length + 2) {
            append('"')
            for (c in text) {
                when (c) {
                    '"' -> append("\\\""); '\\' -> append("\\\\"); '\n' -> append("\\n"); '\r' -> append("\\r"); '\t' -> append("\\t")
                    '\u0000' -> append("\\0")
                    else -> when {
                        c < ' ' || c == '\u007f' || c in '\u0080'..'\u009f' -> append("\\x").append("%02X".format(c.code))
                        // line and paragraph separators and the BOM, as \u escapes (the \L, \P short forms are not read everywhere)
                        c == '\u2028' || c == '\u2029' || c == '\uFEFF' -> append("\\u").append("%04X".format(c.code))
                        else -> append(c)
                    }
                }
            }
            append('"')
        }
    }
}
