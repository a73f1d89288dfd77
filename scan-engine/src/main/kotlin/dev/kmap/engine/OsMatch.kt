package dev.kmap.engine

import kotlinx.serialization.Serializable

/**
 * An operating system guess about a host: its [name] (`Linux 4.x-6.x`), [family] (`unix`,
 * `win`), nmap's [accuracy] in percent, the [method] that made it (`passive`: p0f-style from
 * SYN and SYN/ACK fields) and the observed [fingerprint].
 *
 * ```kotlin
 * result.os.maxByOrNull { it.accuracy }?.let { println("${result.host}: ${it.name}") }
 * ```
 */
@Serializable
public data class OsMatch(
    val name: String,
    val family: String? = null,
    val accuracy: Int,
    val method: String,
    val fingerprint: String? = null,
)
