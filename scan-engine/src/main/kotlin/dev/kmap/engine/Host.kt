package dev.kmap.engine

import dev.kmap.dsl.IpAddress
import kotlinx.serialization.Serializable

/**
 * A scanned host: its [address] and the [name] it was given as or resolved to (null if none).
 *
 * ```kotlin
 * val h = Host(IpAddress.parse("127.0.0.1"), "localhost")
 * ```
 */
@Serializable
public data class Host(val address: IpAddress, val name: String? = null) {
    override fun toString(): String = if (name == null) address.toString() else "$name ($address)"
}
