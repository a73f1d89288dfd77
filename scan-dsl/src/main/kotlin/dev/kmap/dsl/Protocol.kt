package dev.kmap.dsl

import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonNames

/**
 * A transport protocol a port belongs to. JSON spells it as nmap does ([label]); the upper-case
 * names of earlier versions are still read.
 *
 * ```kotlin
 * val p = Protocol.TCP
 * println(p.label) // tcp
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public enum class Protocol(public val label: String) {
    @SerialName("tcp") @JsonNames("TCP") TCP("tcp"),
    @SerialName("udp") @JsonNames("UDP") UDP("udp"),
}
