package dev.kmap.report

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.internal.JsonDocuments
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanReport
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/**
 * The open ports of each host at one point in time, against which `no-change-from-baseline`
 * compares a later scan. [hosts] maps an address to its open ports as `PORT/PROTO`, ascending.
 * Stored as a small JSON file (`{"formatVersion":1,"hosts":{"10.0.0.5":["22/tcp","443/tcp"]}}`)
 * that is easy to review in a pull request.
 *
 * ```kotlin
 * File("kmap/staging-baseline.json").writeText(Baseline.of(report).toJson())
 * val baseline = Baseline.fromJson(File("kmap/staging-baseline.json").readText())
 * ```
 */
@Serializable
public data class Baseline(val formatVersion: Int = FORMAT_VERSION, val hosts: Map<String, List<String>> = emptyMap()) {
    init {
        if (formatVersion != FORMAT_VERSION) throw InvalidSpecException("baseline format version $formatVersion is not supported (expected $FORMAT_VERSION)")
        for ((host, ports) in hosts) for (p in ports) {
            if (!PORT.matches(p)) throw InvalidSpecException("invalid port \"${shown(p)}\" of host ${shown(host)} in the baseline (expected PORT/tcp or PORT/udp)")
        }
    }

    /** This baseline as pretty-printed JSON. */
    public fun toJson(): String = json.encodeToString(serializer(), this) + "\n"

    public companion object {
        /** The version of the file layout. */
        public const val FORMAT_VERSION: Int = 1

        private val PORT = Regex("(0|[1-9][0-9]{0,4})/(tcp|udp)")
        private val json = Json { encodeDefaults = true; prettyPrint = true }

        /** The open ports of every host of [report] that was up (sorted by address, then port). */
        public fun of(report: ScanReport): Baseline = Baseline(
            hosts = report.hosts.filter { it.status == HostStatus.UP && it.error == null }
                .sortedBy { it.host.address }
                .associate { h -> h.host.address.toString() to openPorts(h) },
        )

        /** Reads a baseline written by [toJson]; raises [InvalidSpecException] with one line otherwise. */
        @OptIn(InternalKmapApi::class)
        public fun fromJson(text: String): Baseline =
            JsonDocuments.decode(json, serializer(), text, "baseline")

        internal fun openPorts(h: HostResult): List<String> =
            h.ports.filter { it.state == PortState.OPEN }.sortedWith(PortResult.ORDER).map { "${it.port}/${it.protocol.label}" }
    }
}

/** [s] for a one-line message: control characters escaped, at most 60 characters. */
private fun shown(s: String): String =
    s.take(60).map { c -> if (c.isISOControl()) "\\u%04x".format(c.code) else c.toString() }.joinToString("") + if (s.length > 60) "…" else ""
