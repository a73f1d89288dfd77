package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanStats
import kotlinx.serialization.json.Json

/**
 * JSON (`-oJ`, `--json`): one object
 * `{"scanner":"kmap","version":…,"formatVersion":1,"args":…,"startedAtMillis":…,"plan":{…},"hosts":[…],"stats":{…}}`
 * following the JSON Schema [SCHEMA_RESOURCE] (shipped in this jar). Hosts use the
 * [HostResult] field names and appear in the order they finished; every host is listed (down
 * ones too) with every scanned port, whatever `-v` or `--open` say: this is the data format.
 *
 * It is written as the scan goes (the header at [start], each host as it finishes, `stats` and
 * the closing brace at [finish]), so an interrupted scan still closes the document and says
 * `"interrupted": true` in `stats`.
 *
 * ```kotlin
 * val schema = JsonFormat::class.java.getResource(JsonFormat.SCHEMA_RESOURCE)
 * JsonFormat(ReportOptions(version = "0.1.0")).start(plan, System.currentTimeMillis(), writer)
 * ```
 */
public class JsonFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    private var first = true

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        out.append("{\"scanner\":\"kmap\",\"version\":").append(json.encodeToString(options.version))
            .append(",\"formatVersion\":").append(FORMAT_VERSION.toString())
            .append(",\"args\":").append(json.encodeToString(options.commandLine))
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

    public companion object {
        /** The version of this document layout; it grows only with incompatible changes. */
        public const val FORMAT_VERSION: Int = 1

        /** Class-path location of the JSON Schema (draft 2020-12) of this format. */
        public const val SCHEMA_RESOURCE: String = "/dev/kmap/report/format/kmap-report.schema.json"

        internal val json = Json { encodeDefaults = true }
    }
}
