package dev.kmap.report.format.internal

import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.engine.HostResult
import java.math.BigDecimal
import java.math.MathContext
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

/** Text conventions nmap's outputs share: times, latencies, host titles, plurals. */
internal object NmapText {
    private val ctime = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT)
    private val shortTime = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT)
    private val longTime = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT)

    /** C's `ctime` layout, as nmap prints it: `Fri Nov  6 22:56:31 2026`. */
    fun ctime(millis: Long, zone: ZoneId): String = ctime.format(Instant.ofEpochMilli(millis).atZone(zone))

    /** `2026-11-20 22:57 UTC` (the "Starting" line). */
    fun shortTime(millis: Long, zone: ZoneId): String = shortTime.format(Instant.ofEpochMilli(millis).atZone(zone))

    /** `2026-11-20 22:57:42 UTC` (the "Scanned at" line). */
    fun longTime(millis: Long, zone: ZoneId): String = longTime.format(Instant.ofEpochMilli(millis).atZone(zone))

    /** Epoch seconds, as nmap's XML writes times. */
    fun epochSeconds(millis: Long): String = (Math.floorDiv(millis, 1000L)).toString()

    /** Elapsed seconds with two decimals: `0.03`. */
    /**
     * One line on what went unanswered, or null when everything was: "Unanswered probes: 12 after
     * retries (15 re-probed at a lower rate, 3 answered then)".
     */
    fun completeness(stats: dev.kmap.engine.ScanStats): String? {
        if (stats.probesUnanswered == 0L && !stats.rateLowered) return null
        val reprobed = if (stats.reprobes > 0) " (${stats.reprobes} re-probed at a lower rate, ${stats.reprobesAnswered} answered then)" else ""
        val slowed = if (stats.rateLowered && stats.reprobes == 0L) " (rate lowered: replies were being dropped)" else ""
        return "Unanswered probes: ${stats.probesUnanswered} after retries$reprobed$slowed"
    }

    fun elapsed(millis: Long): String = String.format(Locale.ROOT, "%.2f", millis / 1000.0)

    /** nmap prints latencies with two significant digits: `0.000035`, `0.0000090`, `0.0010`, `1.5`. */
    fun seconds(micros: Long): String {
        var d = BigDecimal.valueOf(micros.coerceAtLeast(1)).movePointLeft(6).round(MathContext(2))
        if (d.precision() < 2) d = d.setScale(d.scale() + 1)
        return d.toPlainString()
    }

    /** `localhost (127.0.0.1)`, or the bare address when the host has no name. */
    fun title(result: HostResult): String {
        val name = displayName(result)
        return if (name == null) result.host.address.toString() else "$name (${result.host.address})"
    }

    /** The name nmap shows: the one the user gave, else the reverse DNS name. */
    fun displayName(result: HostResult): String? = result.host.name ?: result.reverseName

    /** `1 IP address (1 host up)`, `3 IP addresses (2 hosts up)`. */
    fun addressSummary(addresses: Long, up: Long): String =
        "$addresses IP address${if (addresses == 1L) "" else "es"} ($up host${if (up == 1L) "" else "s"} up)"

    /**
     * nmap's plural of a reason in summaries such as `(98 no-responses, 2 host-unreaches)`;
     * `conn-refused` and other participles stay as they are.
     */
    fun pluralReason(reason: String): String = when {
        reason.endsWith("ed") -> reason
        reason.endsWith("y") && !reason.endsWith("ey") -> reason.dropLast(1) + "ies"
        reason.endsWith("ch") || reason.endsWith("sh") || reason.endsWith("s") || reason.endsWith("x") -> reason + "es"
        else -> reason + "s"
    }

    /** `(conn-refused)` or `(98 no-responses, 2 host-unreaches)`. */
    fun reasonSummary(reasons: List<Pair<String, Int>>): String {
        val merged = reasons.groupBy({ it.first }, { it.second }).mapValues { it.value.sum() }
            .entries.sortedByDescending { it.value }
        return merged.singleOrNull()?.key
            ?: merged.joinToString(", ") { (reason, n) -> if (n == 1) "1 $reason" else "$n ${pluralReason(reason)}" }
    }

    /** nmap's name of a scan type in `<scaninfo type=…>` (the DTD's `scan_types`). */
    fun xmlScanType(type: ScanType): String = type.dslName

    /** The scan types of [plan] that scan ports, in plan order. */
    fun portScans(plan: ScanPlan): List<ScanType> = if (plan.pingOnly) emptyList() else plan.scanTypes

    /** Whether reports list ports: a port scan ran, or ports were observed passively. */
    fun listsPorts(plan: ScanPlan, options: dev.kmap.report.format.ReportOptions): Boolean = options.portsObserved || portScans(plan).isNotEmpty()
}
