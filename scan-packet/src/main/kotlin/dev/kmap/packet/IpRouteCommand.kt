package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.Interfaces
import java.util.concurrent.TimeUnit

/**
 * A [RouteResolver] that asks the kernel through `ip -o route get <destination>` (iproute2): the
 * exact answer, policy routing and preferred sources included, at the price of a process per
 * lookup (a few milliseconds). For a handful of destinations, or to check [ProcRouteTable].
 *
 * ```kotlin
 * val route = IpRouteCommand().route(IpAddress.parse("10.208.0.11"))
 * ```
 *
 * @property command the `ip` executable.
 * @property timeoutMillis how long one lookup may take.
 */
public class IpRouteCommand(
    public val command: String = "ip",
    public val timeoutMillis: Long = 5_000,
) : RouteResolver {
    override fun route(destination: IpAddress): Route? {
        val p = try {
            ProcessBuilder(command, "-o", if (destination.isV6) "-6" else "-4", "route", "get", destination.toString())
                .redirectErrorStream(true).start()
        } catch (e: Exception) {
            throw PacketIoException("cannot run '$command route get': ${e.message} (install iproute2)", e)
        }
        try {
            p.outputStream.close()
            val out = p.inputStream.bufferedReader().readText() // bounded: ip prints one line
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) throw PacketIoException("'$command route get $destination' timed out")
            if (p.exitValue() != 0) return null // "Network is unreachable" and friends
            return parse(destination, out, ::interfaceMac)
        } finally {
            p.destroyForcibly()
        }
    }

    override fun toString(): String = "IpRouteCommand($command)"

    internal companion object {
        private val TYPES = setOf("local", "unicast", "broadcast", "multicast", "anycast", "unreachable", "prohibit", "blackhole", "throw", "nat")

        /** Parses one line of `ip -o route get` output; null for routes that do not deliver. */
        fun parse(destination: IpAddress, output: String, macOf: (String) -> MacAddress?): Route? {
            val tokens = output.lineSequence().firstOrNull { it.isNotBlank() }?.trim()?.split(Interfaces.WS) ?: return null
            var i = 0
            var type = "unicast"
            if (tokens.getOrNull(0) in TYPES) type = tokens[i++]
            if (type in setOf("unreachable", "prohibit", "blackhole", "throw")) return null
            i++ // the destination
            var via: String? = null
            var dev: String? = null
            var src: String? = null
            while (i < tokens.size) {
                when (tokens[i]) {
                    "via" -> via = tokens.getOrNull(++i)?.let { if (it == "inet" || it == "inet6") tokens.getOrNull(++i) else it }
                    "dev" -> dev = tokens.getOrNull(++i)
                    "src" -> src = tokens.getOrNull(++i)
                    "from", "table", "uid", "proto", "metric", "pref", "mtu", "expires", "realms", "tos", "hoplimit" -> i++
                }
                i++
            }
            val device = dev ?: return null
            val source = src?.let { runCatching { IpAddress.parse(it) }.getOrNull() } ?: return null
            val gateway = via?.let { runCatching { IpAddress.parse(it) }.getOrNull() }
            val local = type == "local"
            return Route(destination, device, source, gateway, isLocal = local, interfaceMac = if (local) null else macOf(device))
        }

        fun interfaceMac(name: String): MacAddress? = try {
            val nif = java.net.NetworkInterface.getByName(name)
            val hw = nif?.hardwareAddress
            if (nif == null || nif.isLoopback || hw == null || hw.size != 6) null else MacAddress.ofBytes(hw)
        } catch (_: Exception) {
            null
        }
    }
}
