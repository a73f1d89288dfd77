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

    /**
     * The JDK's resolver (the system's: /etc/hosts, then DNS). With [preferIpv6] (`-6`) only IPv6
     * addresses are returned, and `localhost` (and names under `.localhost`, RFC 6761) is `::1`
     * even where /etc/hosts lists only 127.0.0.1, as a `-6` scan of it means the IPv6 loopback.
     */
    public object System : HostResolver {
        override fun resolve(name: String, preferIpv6: Boolean): List<InetAddress> {
            val all = try {
                InetAddress.getAllByName(name).toList()
            } catch (e: UnknownHostException) {
                emptyList()
            }
            if (!preferIpv6) return all.sortedBy { it.address.size == 16 }
            val v6 = all.filter { it.address.size == 16 }
            val local = name.lowercase().trimEnd('.').let { it == "localhost" || it.endsWith(".localhost") }
            return if (v6.isEmpty() && local) listOf(InetAddress.getByName("::1")) else v6
        }

        override fun reverse(address: InetAddress): String? =
            InetAddress.getByAddress(address.address).canonicalHostName.takeIf { it != address.hostAddress }
    }
}
