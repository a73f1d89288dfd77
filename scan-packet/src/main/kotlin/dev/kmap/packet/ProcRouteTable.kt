package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.InterfaceAddress
import dev.kmap.packet.internal.InterfaceInfo
import dev.kmap.packet.internal.Interfaces
import java.io.File
import java.nio.ByteOrder

/**
 * A snapshot of the kernel's routes and interface addresses read from `/proc/net/route`,
 * `/proc/net/ipv6_route` and `/proc/net/if_inet6` (plus [java.net.NetworkInterface] for IPv4
 * addresses and MACs), answering [route] in memory.
 *
 * Why /proc and not `ip route get`: a scan resolves a route per target, and a snapshot answers
 * millions of lookups without a process or netlink round trip each (nmap works the same way).
 * What it models: longest-prefix match on the main table (IPv4) or all tables (IPv6) with the
 * lowest metric among equals, reject and blackhole routes as unreachable, this machine's own addresses and
 * 127/8 and ::1 as local (over loopback), and the kernel's source address choice: for IPv4 the
 * outgoing interface's address whose subnet holds the next hop, else its first; for IPv6 a
 * usable (not tentative) address of the interface of the destination's scope, preferring
 * non-deprecated ones with the longest common prefix. What it does not: policy routing rules
 * (`ip rule`), routes' preferred source (`src`) attributes, multipath. [IpRouteCommand] asks the
 * kernel itself when that matters; the lab tests check that both agree.
 *
 * ```kotlin
 * val table = ProcRouteTable.load()
 * val route = table.route(IpAddress.parse("10.208.0.11")) // Route(interfaceName=kmp-br0, source=10.208.0.1, ...)
 * ```
 */
public class ProcRouteTable internal constructor(
    private val routes4: List<Route4>,
    private val routes6: List<Route6>,
    private val interfaces: List<InterfaceInfo>,
) : RouteResolver {
    internal class Route4(val iface: String, val destination: Int, val mask: Int, val gateway: Int, val flags: Int, val metric: Int) {
        val prefixLength: Int = Integer.bitCount(mask)
    }

    internal class Route6(val iface: String, val destination: IpAddress, val prefixLength: Int, val nextHop: IpAddress, val metric: Long, val flags: Int)

    private val byName = interfaces.associateBy { it.name }
    private val loopbackName = interfaces.firstOrNull { it.isLoopback }?.name ?: "lo"
    private val own = interfaces.flatMap { i -> i.addresses.map { it.address } }.toHashSet()

    // A sweep looks up a route per address: the lookup walks routes already in preference order
    // (longest prefix, then lowest metric, then table order) and stops at the first match.
    private val preferred4: Array<Route4> = routes4.filter { it.flags and RTF_UP != 0 }
        .sortedWith(compareByDescending<Route4> { it.prefixLength }.thenBy { it.metric }).toTypedArray()
    private val addresses4: Map<String, List<InterfaceAddress>> = interfaces.associate { i -> i.name to i.addresses.filter { !it.address.isV6 } }
    private val anySource4: IpAddress? = own.firstOrNull { !it.isV6 && (it.low ushr 24) != 127L }

    override fun route(destination: IpAddress): Route? {
        local(destination)?.let { return it }
        return if (destination.isV6) route6(destination) else route4(destination)
    }

    private fun local(d: IpAddress): Route? {
        val loopbackNet = if (d.isV6) d == LOOPBACK6 else (d.low ushr 24) == 127L
        if (!loopbackNet && d !in own) return null
        val source = if (d in own) d else if (d.isV6) LOOPBACK6 else LOOPBACK4
        return Route(d, loopbackName, source, gateway = null, isLocal = true, interfaceMac = null)
    }

    private fun route4(d: IpAddress): Route? {
        val a = d.low.toInt()
        var r: Route4? = null
        for (candidate in preferred4) {
            if ((a and candidate.mask) == candidate.destination) { r = candidate; break }
        }
        if (r == null) return null
        if (r.flags and RTF_REJECT != 0 || r.iface == "*") return null // unreachable, prohibit; blackhole has no device
        val gateway = if (r.flags and RTF_GATEWAY != 0 && r.gateway != 0) IpAddress.ofV4(r.gateway) else null
        val nextHop = gateway ?: d
        val info = byName[r.iface]
        val candidates = addresses4[r.iface] ?: emptyList()
        val source = (candidates.firstOrNull { inPrefix4(nextHop, it) } ?: candidates.firstOrNull())?.address
            ?: anySource4 ?: return null
        return Route(d, r.iface, source, gateway, isLocal = false, interfaceMac = info?.mac)
    }

    private fun route6(d: IpAddress): Route? {
        var best: Route6? = null
        for (r in routes6) {
            // reject routes (unreachable, prohibit, the table's final null entry) lack RTF_UP but count
            if (r.flags and (RTF_UP or RTF_REJECT) == 0 || r.flags and (RTF_LOCAL or RTF_ANYCAST) != 0) continue
            if (commonPrefix(d, r.destination) < r.prefixLength) continue
            val b = best
            if (b == null || r.prefixLength > b.prefixLength || (r.prefixLength == b.prefixLength && r.metric < b.metric)) best = r
        }
        val r = best ?: return null
        if (r.flags and RTF_REJECT != 0) return null
        val gateway = if (r.flags and RTF_GATEWAY != 0 && !(r.nextHop.high == 0L && r.nextHop.low == 0L)) r.nextHop else null
        val info = byName[r.iface]
        val source = source6(d, info) ?: return null
        return Route(d, r.iface, source, gateway, isLocal = false, interfaceMac = info?.mac)
    }

    private fun source6(d: IpAddress, info: InterfaceInfo?): IpAddress? {
        val linkLocal = (d.high ushr 48) and 0xffc0 == 0xfe80L
        fun pick(list: List<InterfaceAddress>): IpAddress? = list
            .filter { it.address.isV6 && it.usable && it.scope != InterfaceAddress.SCOPE_HOST && (it.scope == InterfaceAddress.SCOPE_LINK) == linkLocal }
            .sortedWith(compareBy<InterfaceAddress> { it.deprecated }.thenByDescending { commonPrefix(d, it.address) })
            .firstOrNull()?.address
        return pick(info?.addresses ?: emptyList()) ?: if (linkLocal) null else pick(interfaces.flatMap { it.addresses })
    }

    override fun toString(): String = "ProcRouteTable(${routes4.size} IPv4 routes, ${routes6.size} IPv6 routes, ${interfaces.size} interfaces)"

    /** Loading and parsing. */
    public companion object {
        private const val RTF_UP = 0x0001
        private const val RTF_GATEWAY = 0x0002
        private const val RTF_REJECT = 0x0200
        private const val RTF_ANYCAST = 0x0010_0000
        private const val RTF_LOCAL = 0x8000_0000.toInt()
        private val LOOPBACK4 = IpAddress.parse("127.0.0.1")
        private val LOOPBACK6 = IpAddress.parse("::1")

        /**
         * Reads the tables now. Raises [PacketIoException] when /proc cannot be read (not Linux).
         *
         * ```kotlin
         * val table = ProcRouteTable.load()
         * ```
         */
        public fun load(): ProcRouteTable {
            fun read(path: String): String? = try {
                File(path).readText()
            } catch (_: Exception) {
                null
            }
            val route4 = read("/proc/net/route") ?: throw PacketIoException("cannot read /proc/net/route (routing needs Linux)")
            return parse(route4, read("/proc/net/ipv6_route") ?: "", Interfaces.load(read("/proc/net/if_inet6")))
        }

        internal fun parse(route4: String, route6: String, interfaces: List<InterfaceInfo>): ProcRouteTable =
            ProcRouteTable(parseRoute4(route4), parseRoute6(route6), interfaces)

        /** /proc/net/route: hex fields in host byte order. */
        internal fun parseRoute4(text: String, order: ByteOrder = ByteOrder.nativeOrder()): List<Route4> {
            fun addr(hex: String): Int? {
                val v = hex.toLongOrNull(16)?.toInt() ?: return null
                return if (order == ByteOrder.LITTLE_ENDIAN) Integer.reverseBytes(v) else v
            }
            return text.lineSequence().drop(1).mapNotNull { line ->
                val f = line.trim().split(Interfaces.WS)
                if (f.size < 8) return@mapNotNull null
                Route4(
                    iface = f[0], destination = addr(f[1]) ?: return@mapNotNull null, gateway = addr(f[2]) ?: return@mapNotNull null,
                    flags = f[3].toIntOrNull(16) ?: return@mapNotNull null, metric = f[6].toIntOrNull() ?: 0,
                    mask = addr(f[7]) ?: return@mapNotNull null,
                )
            }.toList()
        }

        /** /proc/net/ipv6_route: `dest plen src splen nexthop metric refcnt use flags iface`, hex, network order. */
        internal fun parseRoute6(text: String): List<Route6> = text.lineSequence().mapNotNull { line ->
            val f = line.trim().split(Interfaces.WS)
            if (f.size < 10) return@mapNotNull null
            if (f[3] != "00") return@mapNotNull null // source-specific routes are not modelled
            Route6(
                iface = f[9],
                destination = Interfaces.hex16(f[0]) ?: return@mapNotNull null,
                prefixLength = f[1].toIntOrNull(16) ?: return@mapNotNull null,
                nextHop = Interfaces.hex16(f[4]) ?: return@mapNotNull null,
                metric = f[5].toLongOrNull(16) ?: return@mapNotNull null,
                flags = f[8].toLongOrNull(16)?.toInt() ?: return@mapNotNull null,
            )
        }.toList()

        private fun inPrefix4(a: IpAddress, net: InterfaceAddress): Boolean {
            val bits = net.prefixLength
            if (bits == 0) return true
            val mask = (-1 shl (32 - bits))
            return (a.low.toInt() and mask) == (net.address.low.toInt() and mask)
        }

        /** Leading bits [a] and [b] have in common (0..128 for IPv6, 0..32 for IPv4). */
        internal fun commonPrefix(a: IpAddress, b: IpAddress): Int {
            if (!a.isV6) return Integer.numberOfLeadingZeros((a.low xor b.low).toInt())
            val h = a.high xor b.high
            return if (h != 0L) java.lang.Long.numberOfLeadingZeros(h) else 64 + java.lang.Long.numberOfLeadingZeros(a.low xor b.low)
        }
    }
}
