package dev.kmap.engine.output

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanStats
import kotlinx.serialization.json.Json

/**
 * JSON (`-oJ`): one object `{"scanner":"kmap","version":…,"plan":{…},"hosts":[…],"stats":{…}}`,
 * written as the scan goes (hosts are appended as they finish), so an interrupted scan still
 * closes the document. Hosts and stats use the [HostResult] and [ScanStats] field names.
 *
 * ```kotlin
 * JsonFormat("0.1.0").start(plan, System.currentTimeMillis(), writer)
 * ```
 */
public class JsonFormat(private val version: String) : ReportFormatter {
    private var first = true

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        out.append("{\"scanner\":\"kmap\",\"version\":").append(json.encodeToString(version))
            .append(",\"startedAtMillis\":").append(startedAtMillis.toString())
            .append(",\"plan\":").append(json.encodeToString(ScanPlan.serializer(), plan))
            .append(",\"hosts\":[")
    }

    override fun host(result: HostResult, out: Appendable) {
        if (!first) out.append(',')
        first = false
        out.append('\n').append(json.encodeToString(HostResult.serializer(), result))
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        out.append("\n],\"stats\":").append(json.encodeToString(ScanStats.serializer(), stats)).append("}\n")
    }

    internal companion object {
        val json = Json { encodeDefaults = true }
    }
}
