package dev.kmap.report.format

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanStats

/**
 * Newline-delimited JSON (`--ndjson`): one [HostResult] object per line as each host finishes
 * (the `host` definition of [JsonFormat.SCHEMA_RESOURCE]), then a last line
 * `{"stats":{…}}`. Tools can tail it while the scan runs; nothing is written at start, so an
 * interrupted scan leaves only whole lines.
 *
 * ```kotlin
 * NdjsonFormat().host(result, System.out) // {"host":{"address":"10.0.0.1","name":null},"status":"up",…}
 * ```
 */
public class NdjsonFormat : ReportFormatter {
    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {}

    override fun host(result: HostResult, out: Appendable) {
        out.append(JsonFormat.json.encodeToString(HostResult.serializer(), result)).append('\n')
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        out.append("{\"stats\":").append(JsonFormat.json.encodeToString(ScanStats.serializer(), stats)).append("}\n")
    }
}
