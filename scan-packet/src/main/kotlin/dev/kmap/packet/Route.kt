package dev.kmap.packet

import dev.kmap.dsl.IpAddress

/**
 * How the kernel would send to [destination]: out of [interfaceName] from [source], directly or
 * via [gateway]. Local destinations (this machine's own addresses, 127/8, ::1) go over the
 * loopback interface with [isLocal] set.
 *
 * ```kotlin
 * val route = RouteResolver.system().route(IpAddress.parse("10.208.0.11"))!!
 * println("${route.interfaceName} from ${route.source} to next hop ${route.nextHop}")
 * ```
 *
 * @property gateway the router to send through, or null when [destination] is on a directly connected network.
 * @property isLocal true when [destination] is this machine.
 * @property interfaceMac the MAC address of [interfaceName], or null when it has none (loopback, tun).
 */
public data class Route(
    val destination: IpAddress,
    val interfaceName: String,
    val source: IpAddress,
    val gateway: IpAddress?,
    val isLocal: Boolean,
    val interfaceMac: MacAddress?,
) {
    /** The neighbour whose link-layer address frames to [destination] carry: [gateway] or [destination] itself. */
    val nextHop: IpAddress get() = gateway ?: destination
}
