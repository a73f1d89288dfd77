package dev.kmap.report.format

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStats
import dev.kmap.report.Violation
import dev.kmap.report.format.internal.NmapText
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.add
import kotlinx.serialization.json.addJsonObject
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import kotlinx.serialization.json.putJsonArray
import kotlinx.serialization.json.putJsonObject
import java.time.Instant

/**
 * SARIF 2.1.0 (`--sarif`) for code-scanning dashboards: one run of the tool `kmap` whose
 * results are the ports found open (rule `KMAP1001`, level `note`) or open|filtered
 * (`KMAP1002`), each located at a URI such as `tcp://10.0.0.1:22` (with a logical location
 * `10.0.0.1/tcp/22` and a partial fingerprint, so dashboards track a port across scans).
 * A broken expectation is a result of rule `KMAP2001` at level `error`, located at the port (or
 * at `host://ADDRESS` when the rule is about the whole host), with the violation's one-line
 * message. Hosts that timed out or could not be resolved become tool execution notifications;
 * `invocations[0].executionSuccessful` is false for an interrupted scan.
 *
 * Streamed: the log header and rules at [start], each host's results as it finishes, the
 * invocation at [finish]. Only the notifications are buffered (at most [MAX_NOTIFICATIONS]).
 *
 * ```kotlin
 * SarifFormat(ReportOptions(version = "0.1.0")).start(plan, System.currentTimeMillis(), writer)
 * ```
 */
public class SarifFormat(private val options: ReportOptions = ReportOptions()) : ReportFormatter {
    private var first = true
    private var startedAt = 0L
    private val notifications = ArrayList<JsonObject>()
    private var droppedNotifications = 0

    override fun start(plan: ScanPlan, startedAtMillis: Long, out: Appendable) {
        startedAt = startedAtMillis
        val driver = buildJsonObject {
            put("name", "kmap")
            put("version", options.version)
            put("rules", JsonArray(RULES.map { it.json() }))
        }
        out.append("{\"\$schema\":\"$SCHEMA_URI\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":")
        out.append(JsonFormat.json.encodeToString(JsonObject.serializer(), driver))
        out.append("},\"columnKind\":\"utf16CodeUnits\",\"results\":[")
    }

    override fun host(result: HostResult, out: Appendable) {
        if (result.error != null) {
            notify("error", "KMAP9001", "${result.error} (${result.host.name ?: result.host.address})")
            return
        }
        if (result.timedOut) notify("warning", "KMAP9002", "host ${NmapText.title(result)} timed out; its results are partial")
        if (result.status != HostStatus.UP) return
        for (p in result.ports) {
            val rule = when (p.state) {
                PortState.OPEN -> 0
                PortState.OPEN_FILTERED -> 1
                else -> continue
            }
            out.append(if (first) "\n" else ",\n")
            first = false
            out.append(JsonFormat.json.encodeToString(JsonObject.serializer(), result(result, p, rule)))
        }
    }

    override fun expectations(expectations: Expectations, violations: List<Violation>, out: Appendable) {
        for (v in violations) {
            out.append(if (first) "\n" else ",\n")
            first = false
            out.append(JsonFormat.json.encodeToString(JsonObject.serializer(), violation(v)))
        }
    }

    override fun finish(stats: ScanStats, out: Appendable) {
        if (stats.interrupted) notify("error", "KMAP9003", "the scan was interrupted; results are partial")
        if (droppedNotifications > 0) notify("note", "KMAP9004", "$droppedNotifications more notifications were left out", force = true)
        val invocation = buildJsonObject {
            put("executionSuccessful", !stats.interrupted)
            put("commandLine", options.commandLine)
            put("startTimeUtc", Instant.ofEpochMilli(stats.startedAtMillis).toString())
            put("endTimeUtc", Instant.ofEpochMilli(stats.finishedAtMillis).toString())
            if (notifications.isNotEmpty()) put("toolExecutionNotifications", JsonArray(notifications))
        }
        out.append("\n],\"invocations\":[")
        out.append(JsonFormat.json.encodeToString(JsonObject.serializer(), invocation))
        out.append("],\"properties\":{\"stats\":")
        out.append(JsonFormat.json.encodeToString(ScanStats.serializer(), stats))
        out.append("}}]}\n")
    }

    private fun notify(level: String, id: String, text: String, force: Boolean = false) {
        if (notifications.size >= MAX_NOTIFICATIONS && !force) { droppedNotifications++; return }
        notifications += buildJsonObject {
            put("level", level)
            put("message", buildJsonObject { put("text", text) })
            putJsonObject("descriptor") { put("id", id) }
        }
    }

    private fun result(host: HostResult, p: PortResult, ruleIndex: Int): JsonObject {
        val address = host.host.address
        val authority = if (address.isV6) "[$address]" else address.toString()
        val name = NmapText.displayName(host)
        val service = p.service ?: "unknown"
        return buildJsonObject {
            put("ruleId", RULES[ruleIndex].id)
            put("ruleIndex", ruleIndex)
            put("level", "note")
            putJsonObject("message") {
                put("text", "Port ${p.port}/${p.protocol.label} ($service) is ${p.state.label} on ${NmapText.title(host)} (${p.reason}).")
            }
            putJsonArray("locations") {
                addJsonObject {
                    putJsonObject("physicalLocation") {
                        putJsonObject("artifactLocation") { put("uri", "${p.protocol.label}://$authority:${p.port}") }
                    }
                    putJsonArray("logicalLocations") {
                        addJsonObject {
                            put("name", "${p.port}/${p.protocol.label}")
                            put("fullyQualifiedName", "$address/${p.protocol.label}/${p.port}")
                            put("kind", "resource")
                        }
                    }
                }
            }
            putJsonObject("partialFingerprints") { put("kmapPort/v1", "$address/${p.protocol.label}/${p.port}") }
            putJsonObject("properties") {
                put("address", address.toString())
                if (name != null) put("hostname", name)
                put("protocol", p.protocol.label)
                put("port", p.port)
                put("state", p.state.label)
                put("reason", p.reason)
                put("service", service)
                p.rttMicros?.let { put("rttMicros", it) }
                if (p.scripts.isNotEmpty()) putJsonObject("scripts") { p.scripts.forEach { put(it.id, it.output) } }
                putJsonArray("tags") { add("network"); add("port-scan") }
            }
        }
    }

    private fun violation(v: Violation): JsonObject {
        val authority = if (':' in v.host) "[${v.host}]" else v.host
        val proto = v.protocol?.label ?: "tcp"
        val where = if (v.port != null) "${v.host}/$proto/${v.port}" else v.host
        return buildJsonObject {
            put("ruleId", RULES[VIOLATION_RULE].id)
            put("ruleIndex", VIOLATION_RULE)
            put("level", "error")
            putJsonObject("message") { put("text", v.message) }
            putJsonArray("locations") {
                addJsonObject {
                    putJsonObject("physicalLocation") {
                        putJsonObject("artifactLocation") {
                            put("uri", if (v.port != null) "$proto://$authority:${v.port}" else "host://$authority")
                        }
                    }
                    putJsonArray("logicalLocations") {
                        addJsonObject { put("fullyQualifiedName", where); put("kind", "resource") }
                    }
                }
            }
            putJsonObject("partialFingerprints") { put("kmapExpectation/v1", "$where/${v.rule}") }
            putJsonObject("properties") {
                put("address", v.host)
                v.port?.let { put("port", it); put("protocol", proto) }
                put("rule", v.rule)
                put("expected", v.expected)
                put("found", v.found)
                putJsonArray("tags") { add("network"); add("expectation") }
            }
        }
    }

    private class Rule(
        val id: String, val name: String, val short: String, val full: String, val level: String = "note",
        val help: String = "$full Close the port or restrict who can reach it if it should not be exposed.",
        val tag: String = "port-scan",
    ) {
        fun json() = buildJsonObject {
            put("id", id)
            put("name", name)
            putJsonObject("shortDescription") { put("text", short) }
            putJsonObject("fullDescription") { put("text", full) }
            putJsonObject("defaultConfiguration") { put("level", level) }
            putJsonObject("help") { put("text", help) }
            putJsonObject("properties") { put("tags", buildJsonArray { add("network"); add(tag) }) }
        }
    }

    public companion object {
        /** The `$schema` this log declares. */
        public const val SCHEMA_URI: String = "https://json.schemastore.org/sarif-2.1.0.json"

        /** The most tool execution notifications (timeouts, unresolved names) kept; the rest are counted. */
        public const val MAX_NOTIFICATIONS: Int = 1_000

        private val RULES = listOf(
            Rule("KMAP1001", "OpenPort", "Open port", "A port accepted connections (or answered): a service listens on it."),
            Rule("KMAP1002", "OpenOrFilteredPort", "Open or filtered port", "A port did not answer in a way that tells open from filtered."),
            Rule("KMAP2001", "ExpectationViolated", "Expectation violated", "The scan result breaks an expectation of the policy (kmap --expect, or expect { } in the Gradle plugin).", "error",
                "Fix the host (close or open the port, renew the certificate) or, if the change is intended, update the policy or the baseline.", "expectation"),
        )
        private const val VIOLATION_RULE = 2
    }
}
