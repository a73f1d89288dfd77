package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanStats
import dev.kmap.report.format.internal.SiemEvents

/**
 * ArcSight Common Event Format (`--cef`, `kmap show ID --format cef`): one line per open port of
 * each host that is up, written as each host finishes, for SIEMs that ingest CEF:
 *
 * ```text
 * CEF:0|kmap|kmap|0.1.0|open-port|Open port|3|rt=1700000001456 dst=10.0.0.5 dhost=web.lab dpt=22 proto=TCP app=ssh cs1Label=state cs1=open cs2Label=reason cs2=syn-ack cn1Label=rttMicros cn1=120
 * ```
 *
 * Escaping as CEF specifies: in the header `\` and `|` get a backslash; in extension values `\`
 * and `=` get a backslash and line breaks become `\n`/`\r`; other control characters become spaces. IPv6 targets use `c6a3`
 * (destination IPv6 address); script output goes to `cs3` (`id: output; …`). Nothing is
 * written at start or finish, so a stopped scan leaves whole lines.
 *
 * ```kotlin
 * CefFormat(ReportOptions(version = "0.1.0")).host(result, System.out)
 * ```
 */
public class CefFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {}

    override fun host(result: HostResult, out: Appendable) {
        for (p in SiemEvents.openPorts(result)) {
            out.append("CEF:0|").append(header(SiemEvents.VENDOR)).append('|').append(header(SiemEvents.PRODUCT)).append('|')
                .append(header(options.version)).append('|').append(SiemEvents.EVENT_ID).append('|').append(SiemEvents.EVENT_NAME)
                .append('|').append(SiemEvents.SEVERITY.toString()).append('|')
            val fields = ArrayList<Pair<String, String>>()
            fields += "rt" to result.finishedAtMillis.toString()
            val address = result.host.address
            if (address.isV6) { fields += "c6a3" to address.toString(); fields += "c6a3Label" to "Destination IPv6 Address" } else fields += "dst" to address.toString()
            (result.host.name ?: result.reverseName)?.let { fields += "dhost" to it }
            fields += "dpt" to p.port.toString()
            fields += "proto" to p.protocol.label.uppercase()
            p.service?.let { fields += "app" to it }
            fields += "cs1Label" to "state"; fields += "cs1" to p.state.label
            fields += "cs2Label" to "reason"; fields += "cs2" to p.reason
            p.rttMicros?.let { fields += "cn1Label" to "rttMicros"; fields += "cn1" to it.toString() }
            SiemEvents.scripts(p)?.let { fields += "cs3Label" to "scripts"; fields += "cs3" to it }
            fields.forEachIndexed { i, (k, v) -> if (i > 0) out.append(' '); out.append(k).append('=').append(value(v)) }
            out.append('\n')
        }
    }

    override fun finish(stats: ScanStats, out: Appendable) {}

    internal companion object {
        /** A CEF header field: `\` and `|` escaped; a header has no room for line breaks. */
        fun header(text: String): String = buildString {
            for (c in text) when (c) {
                '\\' -> append("\\\\"); '|' -> append("\\|"); else -> append(if (c.isISOControl()) ' ' else c)
            }
        }

        /** A CEF extension value: `\` and `=` escaped, line breaks as `\n` and `\r`. */
        fun value(text: String): String = buildString {
            for (c in text) when (c) {
                '\\' -> append("\\\\"); '=' -> append("\\="); '\n' -> append("\\n"); '\r' -> append("\\r"); else -> append(if (c.isISOControl()) ' ' else c)
            }
        }
    }
}
