package dev.kmap.store

import dev.kmap.store.internal.DiffText
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/**
 * What changed from scan [a] to scan [b] (`kmap diff A B`), as nmap's ndiff reports it: hosts
 * that appeared or went away, hosts whose status changed, and per host the ports that opened,
 * closed or changed (state, service, script output), plus changed host script output. Hosts are
 * matched by address; a port scanned in only one of the scans counts only if it is open there.
 * [toText] is ndiff's text layout, [toJson] the same as one JSON object.
 *
 * ```kotlin
 * val d = store.diff(41, 42)
 * if (!d.isEmpty) print(d.toText())
 * ```
 */
@Serializable
public data class ScanDiff(val a: Side, val b: Side, val hosts: List<HostDiff>) {
    /** True when nothing changed. */
    val isEmpty: Boolean get() = hosts.isEmpty()

    /** ndiff's text: `-`/`+` header lines, then a block per changed host. */
    public fun toText(): String = DiffText.render(this)

    /** The diff as one JSON object (`{"a":…,"b":…,"hosts":[…]}`) and a newline. */
    public fun toJson(): String = json.encodeToString(serializer(), this) + "\n"

    /**
     * One of the two scans: its [id], [startedAtMillis], the [commandLine] it ran as, the kmap
     * [version] and the time [zone] its reports used.
     *
     * ```kotlin
     * println("${diff.a.id} -> ${diff.b.id}")
     * ```
     */
    @Serializable
    public data class Side(val id: Long, val startedAtMillis: Long, val commandLine: String, val version: String, val zone: String)

    /**
     * A host that [change]d: its [address] (and [name]), its status in each scan (null where it
     * is absent), the [ports] that changed and the host scripts whose output changed.
     *
     * ```kotlin
     * diff.hosts.filter { it.change == ScanDiff.Change.ADDED }.forEach { println(it.address) }
     * ```
     */
    @Serializable
    public data class HostDiff(
        val address: String,
        val name: String? = null,
        val change: Change,
        val statusA: String? = null,
        val statusB: String? = null,
        val ports: List<PortDiff> = emptyList(),
        val hostScripts: List<ScriptDiff> = emptyList(),
    )

    /**
     * A port that [change]d: its state and service in each scan ([a], [b]; null where it was not
     * scanned) and the scripts whose output changed.
     *
     * ```kotlin
     * host.ports.filter { it.change == ScanDiff.PortChange.OPENED }.map { it.port }
     * ```
     */
    @Serializable
    public data class PortDiff(
        val protocol: String,
        val port: Int,
        val change: PortChange,
        val a: PortSide? = null,
        val b: PortSide? = null,
        val scripts: List<ScriptDiff> = emptyList(),
    )

    /**
     * A port's [state], [service] and, with `-sV`, the product and [version] found, in one scan.
     *
     * ```kotlin
     * ScanDiff.PortSide("open", "ssh", "OpenSSH 9.2p1 Debian 2+deb12u3")
     * ```
     */
    @Serializable
    public data class PortSide(val state: String, val service: String? = null, val version: String? = null)

    /**
     * A script whose output differs: [a] and [b] are its output in each scan (null where it did not run).
     *
     * ```kotlin
     * ScanDiff.ScriptDiff("http-title", "Old title", "New title")
     * ```
     */
    @Serializable
    public data class ScriptDiff(val id: String, val a: String? = null, val b: String? = null)

    /** How a host changed. */
    @Serializable
    public enum class Change {
        /** Up in B, absent or not up in A. */
        @SerialName("added") ADDED,

        /** Up in A, absent or not up in B. */
        @SerialName("removed") REMOVED,

        /** Up in both, with port or script changes. */
        @SerialName("changed") CHANGED,
    }

    /** How a port changed. */
    @Serializable
    public enum class PortChange {
        /** Open in B, not open (or not scanned) in A. */
        @SerialName("opened") OPENED,

        /** Open in A, not open (or not scanned) in B. */
        @SerialName("closed") CLOSED,

        /** Another state (neither open), another service, or other script output. */
        @SerialName("changed") CHANGED,
    }

    private companion object {
        val json = Json { encodeDefaults = false; explicitNulls = false }
    }
}
