package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * A transport protocol a port belongs to.
 *
 * ```kotlin
 * val p = Protocol.TCP
 * println(p.label) // tcp
 * ```
 */
@Serializable
public enum class Protocol(public val label: String) {
    TCP("tcp"),
    UDP("udp"),
}
