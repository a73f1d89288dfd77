package dev.kmap.engine

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * The state of a port, with nmap's names ([label]).
 *
 * ```kotlin
 * if (result.state == PortState.OPEN) println("${result.port}/${result.protocol.label} open")
 * ```
 */
@Serializable
public enum class PortState(public val label: String) {
    @SerialName("open") OPEN("open"),
    @SerialName("closed") CLOSED("closed"),
    @SerialName("filtered") FILTERED("filtered"),
    @SerialName("unfiltered") UNFILTERED("unfiltered"),
    @SerialName("open|filtered") OPEN_FILTERED("open|filtered"),
    @SerialName("closed|filtered") CLOSED_FILTERED("closed|filtered"),
}
