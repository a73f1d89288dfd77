package dev.kmap.engine

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * What service detection (`-sV`) found on a port: the service [name] (`http`, `ssh`), the
 * [product], [version] and [extraInfo] it announced, the [hostname], [osType] and [deviceType]
 * it revealed, its [cpe] names (as nmap writes them), how it was found ([method]: `probed` from
 * a reply, `table` from the port number alone) with nmap's [confidence] (10 probed, 3 table),
 * [tunnel] `ssl` when the service speaks inside TLS (`ssl/http`), the [tls] handshake details
 * (also after STARTTLS), which [probe] gave the answer and how long detection waited for it
 * ([waitedMillis]). [fingerprint] holds the first reply when nothing matched it; [tarpit] is set
 * when the host accepted connections on every port and then stayed silent. [trace] lists every
 * exchange when `--version-trace` is on.
 *
 * ```kotlin
 * val s = port.serviceInfo ?: return
 * println("${s.name} ${s.product} ${s.version}")     // http nginx 1.22.1
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class ServiceInfo(
    val name: String,
    val product: String? = null,
    val version: String? = null,
    val extraInfo: String? = null,
    val hostname: String? = null,
    val osType: String? = null,
    val deviceType: String? = null,
    val cpe: List<String> = emptyList(),
    val method: String = PROBED,
    val confidence: Int = 10,
    val tunnel: String? = null,
    val probe: String? = null,
    val waitedMillis: Long? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val tls: TlsDetails? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val fingerprint: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val tarpit: Boolean = false,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val trace: List<String> = emptyList(),
) {
    /** nmap's VERSION column: product, version and `(extra info)`, space-separated. */
    public val versionText: String
        get() = listOfNotNull(product, version, extraInfo?.let { "($it)" }).joinToString(" ")

    /** The name as nmap's tables print it: `ssl/http` inside TLS. */
    public val displayName: String get() = if (tunnel != null) "$tunnel/$name" else name

    public companion object {
        /** [method] of a service found from a reply. */
        public const val PROBED: String = "probed"

        /** [method] of a service named after its port number. */
        public const val TABLE: String = "table"
    }
}
