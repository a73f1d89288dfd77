package dev.kmap.engine

import dev.kmap.dsl.Protocol
import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * The finding for one port: [state], nmap's [reason], the conventional [service] name, and the
 * round-trip time of the deciding reply in microseconds ([rttMicros], null without a reply), and
 * what scripts reported about the port ([scripts]; left out of JSON when empty).
 *
 * ```kotlin
 * report.hosts.flatMap { it.ports }.filter { it.state == PortState.OPEN }.forEach { println(it.port) }
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class PortResult(
    val port: Int,
    val protocol: Protocol,
    val state: PortState,
    val reason: String,
    val service: String? = null,
    val rttMicros: Long? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val scripts: List<ScriptOutput> = emptyList(),
) {
    public companion object {
        /** Results in report order: TCP before UDP, then by port (no boxing: it sorts 65535 ports per host). */
        public val ORDER: Comparator<PortResult> = Comparator { a, b ->
            if (a.protocol != b.protocol) a.protocol.compareTo(b.protocol) else a.port.compareTo(b.port)
        }
    }
}

/** [PortResult.ORDER], as the engine calls it. */
internal val PORT_ORDER: Comparator<PortResult> get() = PortResult.ORDER
