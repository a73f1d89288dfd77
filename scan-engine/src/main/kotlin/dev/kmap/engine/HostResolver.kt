package dev.kmap.engine

import java.net.InetAddress
import java.net.UnknownHostException

/**
 * Name resolution for the engine: forward lookups of target names and optional reverse lookups.
 * Called from the engine's I/O threads; implementations may block.
 *
 * ```kotlin
 * val fake = object : HostResolver {
 *     override fun resolve(name: String, preferIpv6: Boolean) = listOf(InetAddress.getLoopbackAddress())
 *     override fun reverse(address: InetAddress): String? = null
 * }
 * ```
 */
public interface HostResolver {
    /** Addresses of [name], preferred family first; empty when it does not resolve. */
    public fun resolve(name: String, preferIpv6: Boolean): List<InetAddress>

    /** The PTR name of [address], or null. */
    public fun reverse(address: InetAddress): String?

    /** The JDK's resolver (the system's: /etc/hosts, then DNS). */
    public object System : HostResolver {
        override fun resolve(name: String, preferIpv6: Boolean): List<InetAddress> = try {
            InetAddress.getAllByName(name).sortedBy { (it.address.size == 16) != preferIpv6 }
        } catch (e: UnknownHostException) {
            emptyList()
        }

        override fun reverse(address: InetAddress): String? =
            InetAddress.getByAddress(address.address).canonicalHostName.takeIf { it != address.hostAddress }
    }
}
