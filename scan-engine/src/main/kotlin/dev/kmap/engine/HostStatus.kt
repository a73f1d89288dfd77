package dev.kmap.engine

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * Whether a host was found up.
 *
 * ```kotlin
 * report.hosts.count { it.status == HostStatus.UP }
 * ```
 */
@Serializable
public enum class HostStatus {
    @SerialName("up") UP,
    @SerialName("down") DOWN,
    /** The scan stopped (interrupted, host timeout, unresolvable name) before it could tell. */
    @SerialName("unknown") UNKNOWN,
}
