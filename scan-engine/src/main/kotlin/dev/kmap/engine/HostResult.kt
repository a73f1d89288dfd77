package dev.kmap.engine

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * Everything found about one host. [ports] lists every scanned port in ascending order (with
 * [PortResult.protocol] TCP before UDP); [reason] is why the host counts as up or down
 * (`syn-ack`, `conn-refused`, `user-set` for `-Pn`, `no-response`); [latencyMicros] is the first
 * reply's round trip. [timedOut] is true when `--host-timeout` cut the host short, and [error]
 * says why a host could not be scanned (e.g. an unresolvable name). [hostScripts] holds what
 * host scripts reported (nmap's `<hostscript>`; left out of JSON when empty). [mac] is the host's
 * link-layer address when it is on the local link, [hostnames] the DNS names seen for it and
 * [os] the operating system guesses (each left out of JSON when absent).
 *
 * ```kotlin
 * val open = result.ports.filter { it.state == PortState.OPEN }.map { it.port }
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class HostResult(
    val host: Host,
    val status: HostStatus,
    val reason: String,
    val ports: List<PortResult> = emptyList(),
    val reverseName: String? = null,
    val latencyMicros: Long? = null,
    val startedAtMillis: Long = 0,
    val finishedAtMillis: Long = 0,
    val timedOut: Boolean = false,
    val error: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val hostScripts: List<ScriptOutput> = emptyList(),
    @EncodeDefault(EncodeDefault.Mode.NEVER) val mac: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val hostnames: List<String> = emptyList(),
    @EncodeDefault(EncodeDefault.Mode.NEVER) val os: List<OsMatch> = emptyList(),
)
