package dev.kmap.dsl

import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonNames

/**
 * Reverse DNS policy: nmap's default (only for hosts found up), `-n` (never) or `-R` (always).
 * Forward resolution of target names always happens. JSON spells it in lower case.
 *
 * ```kotlin
 * scan { dns(DnsResolution.NEVER) } // -n
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public enum class DnsResolution {
    @SerialName("default") @JsonNames("DEFAULT") DEFAULT,
    @SerialName("never") @JsonNames("NEVER") NEVER,
    @SerialName("always") @JsonNames("ALWAYS") ALWAYS,
}
