package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanStats
import dev.kmap.report.format.internal.SiemEvents
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter

/**
 * IBM QRadar's Log Event Extended Format 2.0 (`--leef`, `kmap show ID --format leef`): one line
 * per open port of each host that is up, attributes separated by tabs (declared as `x09` in the
 * header):
 *
 * ```text
 * LEEF:2.0|kmap|kmap|0.1.0|open-port|x09|cat=open-port	devTime=2023-11-14T22:13:21.456Z	devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX	sev=3	dst=10.0.0.5	dstPort=22	proto=TCP	identHostName=web.lab	service=ssh	state=open	reason=syn-ack	rttMicros=120
 * ```
 *
 * LEEF has no escape sequences: as its guidelines ask, values never hold the delimiter (tab) or a
 * line break or other control character (each becomes a space); a `|` in a header field gets a backslash. Nothing is written
 * at start or finish, so a stopped scan leaves whole lines.
 *
 * ```kotlin
 * LeefFormat(ReportOptions(version = "0.1.0")).host(result, System.out)
 * ```
 */
public class LeefFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {}

    override fun host(result: HostResult, out: Appendable) {
        for (p in SiemEvents.openPorts(result)) {
            out.append("LEEF:2.0|").append(header(SiemEvents.VENDOR)).append('|').append(header(SiemEvents.PRODUCT)).append('|')
                .append(header(options.version)).append('|').append(SiemEvents.EVENT_ID).append("|x09|")
            val fields = ArrayList<Pair<String, String>>()
            fields += "cat" to SiemEvents.EVENT_ID
            fields += "devTime" to TIME.format(Instant.ofEpochMilli(result.finishedAtMillis))
            fields += "devTimeFormat" to TIME_FORMAT
            fields += "sev" to SiemEvents.SEVERITY.toString()
            fields += "dst" to result.host.address.toString()
            fields += "dstPort" to p.port.toString()
            fields += "proto" to p.protocol.label.uppercase()
            (result.host.name ?: result.reverseName)?.let { fields += "identHostName" to it }
            p.service?.let { fields += "service" to it }
            fields += "state" to p.state.label
            fields += "reason" to p.reason
            p.rttMicros?.let { fields += "rttMicros" to it.toString() }
            SiemEvents.scripts(p)?.let { fields += "scripts" to it }
            fields.forEachIndexed { i, (k, v) -> if (i > 0) out.append('\t'); out.append(k).append('=').append(value(v)) }
            out.append('\n')
        }
    }

    override fun finish(stats: ScanStats, out: Appendable) {}

    internal companion object {
        const val TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX"
        private val TIME = DateTimeFormatter.ofPattern(TIME_FORMAT).withZone(ZoneOffset.UTC)

        fun header(text: String): String = buildString {
            for (c in text) when (c) { '|' -> append("\\|"); else -> append(if (c.isISOControl()) ' ' else c) }
        }

        /** LEEF values cannot hold the delimiter or line breaks (no escape exists): they become spaces. */
        fun value(text: String): String = buildString {
            for (c in text) append(if (c.isISOControl()) ' ' else c)
        }
    }
}
