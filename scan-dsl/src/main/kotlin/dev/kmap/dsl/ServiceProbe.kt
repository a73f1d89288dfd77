package dev.kmap.dsl

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * One probe of service detection: what to send ([payload]; empty for a banner probe, nmap's
 * `NULL`), over which [protocol], to which [ports] first ([sslPorts]: the same inside TLS), how
 * rare a hit is ([rarity] 1..9, compared with the intensity), how long to wait at most
 * ([totalWaitMillis]), after how long a connection closed without data counts as `tcpwrapped`
 * ([tcpWrappedMillis]), which other probes' [matches] to try on its reply ([fallback]), and the
 * [matches] themselves. kmap's shipped database, nmap's `nmap-service-probes` and the DSL's
 * `services { probe(...) }` all build this model.
 *
 * [payload] holds bytes as characters U+0000..U+00FF (ISO-8859-1), so it serializes as text.
 * [source] says where the probe was defined (`file:line`), for errors and `--version-trace`.
 *
 * ```kotlin
 * val p = ServiceProbe("acme", payload = "HELLO\r\n", ports = PortList.of(9000),
 *     matches = listOf(ServiceMatch("acme", "^ACME (\\d+)", product = "Acme", version = "$1")))
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class ServiceProbe(
    val name: String,
    val protocol: Protocol = Protocol.TCP,
    val payload: String = "",
    @EncodeDefault(EncodeDefault.Mode.NEVER) val ports: PortList = PortList.EMPTY,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val sslPorts: PortList = PortList.EMPTY,
    val rarity: Int = 1,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val totalWaitMillis: Long = DEFAULT_WAIT_MILLIS,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val tcpWrappedMillis: Long = DEFAULT_TCPWRAPPED_MILLIS,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val fallback: List<String> = emptyList(),
    val matches: List<ServiceMatch> = emptyList(),
    @EncodeDefault(EncodeDefault.Mode.NEVER) val source: String? = null,
) {
    init {
        if (name.isEmpty() || name.any { it.isWhitespace() || it == ',' }) invalid("invalid probe name \"$name\" (expected a word without spaces or commas)")
        if (rarity !in 1..9) invalid("probe $name: rarity $rarity is out of range (expected 1..9)")
        if (totalWaitMillis < 1) invalid("probe $name: wait of $totalWaitMillis ms is out of range (expected at least 1 ms)")
        if (tcpWrappedMillis < 1) invalid("probe $name: tcpwrapped time of $tcpWrappedMillis ms is out of range (expected at least 1 ms)")
        if (payload.any { it.code > 0xFF }) invalid("probe $name: payload holds a character above U+00FF (payloads are bytes)")
    }

    /** True for a probe that sends nothing and waits for a banner (nmap's `NULL`). */
    public val isBanner: Boolean get() = payload.isEmpty() && protocol == Protocol.TCP

    public companion object {
        /** nmap's default `totalwaitms`. */
        public const val DEFAULT_WAIT_MILLIS: Long = 5_000

        /** nmap's default `tcpwrappedms`. */
        public const val DEFAULT_TCPWRAPPED_MILLIS: Long = 2_000
    }
}
