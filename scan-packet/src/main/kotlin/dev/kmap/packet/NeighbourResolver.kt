package dev.kmap.packet

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.Interfaces
import java.io.File
import java.util.concurrent.TimeUnit

/**
 * Finds one next hop's MAC address: first in what this process already learned
 * ([NeighbourCache]) and the kernel's neighbour table (`/proc/net/arp` for IPv4, `ip -6 neigh`
 * for IPv6), else by asking on the wire through a [PacketIo] (an ARP request or an NDP neighbour
 * solicitation, retried, each attempt under its own deadline). For code that sends to one
 * destination; kmap's scan sessions never wait per host: they ask for every neighbour of a host
 * group at once and share one bounded wait (see the engine's raw sessions).
 *
 * ```kotlin
 * val route = RouteResolver.system().route(target)!!
 * PacketIo.open(route.interfaceName).use { io ->
 *     val eth = NeighbourResolver.ethernetAddresses(route, io)   // null for loopback / raw-IP interfaces
 *     val syn = TcpProbeTemplate(route.source, eth, TcpFlags.SYN)
 * }
 * ```
 */
public object NeighbourResolver {
    /**
     * [address]'s MAC on [interfaceName] from the kernel's neighbour table, or null when it has no
     * usable entry (none, incomplete, failed).
     *
     * ```kotlin
     * NeighbourResolver.cached(IpAddress.parse("10.208.0.11"), "kmp-br0") // 02:6b:6d:00:02:01
     * ```
     */
    public fun cached(address: IpAddress, interfaceName: String): MacAddress? =
        if (address.isV6) ipNeigh(address, interfaceName) else procArp(address, interfaceName)

    /**
     * The MAC of [route]'s next hop: [cached] if known, else from an ARP request or neighbour
     * solicitation sent through [io] (which must be open on [Route.interfaceName]) up to
     * [attempts] times, waiting [attemptMillis] for the answer each time. Null when nobody
     * answers, and for local routes. Sets [io]'s capture filter to [CaptureFilter.neighbourReplies]:
     * set your own afterwards.
     *
     * ```kotlin
     * val mac = NeighbourResolver.resolve(route, io) ?: error("${route.nextHop} does not answer")
     * ```
     */
    @OptIn(InternalKmapApi::class)
    public fun resolve(route: Route, io: PacketIo, attempts: Int = 3, attemptMillis: Long = 500): MacAddress? {
        require(attempts in 1..100 && attemptMillis in 1..60_000) { "attempts 1..100, attemptMillis 1..60000" }
        if (route.isLocal) return null
        NeighbourCache.mac(route.interfaceName, route.nextHop)?.let { return it }
        cached(route.nextHop, route.interfaceName)?.let { return it }
        val ourMac = route.interfaceMac ?: return null
        if (!io.capabilities.canInjectFrames) return null
        io.setFilter(CaptureFilter.neighbourReplies(route.source))
        val batch = PacketBatch(1, 128)
        val target = route.nextHop
        val length = if (target.isV6) {
            NeighbourSolicitationTemplate(ourMac, route.source).write(batch.nextBuffer(), 0, target)
        } else {
            ArpRequestTemplate(ourMac, route.source).write(batch.nextBuffer(), 0, target)
        }
        var found: MacAddress? = null
        val sink = PacketSink { buf, off, len, _ ->
            when (val r = ReplyParser.parse(buf, off, len, io.capabilities.linkType)) {
                is ParsedReply.Arp -> if (r.isReply && r.senderAddress == target) found = r.senderMac
                is ParsedReply.Ndp -> if (r.isAdvertisement && r.target == target && r.linkAddress != null) found = r.linkAddress
                else -> {}
            }
        }
        repeat(attempts) {
            batch.clear()
            batch.commit(length) // the frame stays in the buffer from the first write
            io.send(batch)
            val deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(attemptMillis)
            while (found == null) {
                val remaining = deadline - System.nanoTime()
                if (remaining <= 0) break
                io.receive(remaining, 64, sink)
            }
            found?.let { NeighbourCache.learned(route.interfaceName, target, it); return it }
        }
        return null
    }

    /**
     * The Ethernet addresses for templates sending along [route] through [io]: our interface's
     * MAC and the next hop's ([resolve]). Null when [io] sends IP packets (loopback, raw IP
     * sockets). Raises [PacketIoException] when the next hop does not answer.
     *
     * ```kotlin
     * val syn = TcpProbeTemplate(route.source, NeighbourResolver.ethernetAddresses(route, io), TcpFlags.SYN)
     * ```
     */
    public fun ethernetAddresses(route: Route, io: PacketIo, attempts: Int = 3, attemptMillis: Long = 500): EthernetAddresses? {
        if (!io.capabilities.canInjectFrames) return null
        val ours = route.interfaceMac ?: throw PacketIoException("${route.interfaceName} has no MAC address to send Ethernet frames from")
        val theirs = resolve(route, io, attempts, attemptMillis)
            ?: throw PacketIoException("next hop ${route.nextHop} does not answer ${if (route.nextHop.isV6) "neighbour solicitations" else "ARP requests"} on ${route.interfaceName}")
        return EthernetAddresses(ours, theirs)
    }

    /**
     * Every usable entry of the kernel's neighbour table on [interfaceName], read once: IPv4 from
     * `/proc/net/arp`, IPv6 (when [v6]) from one `ip -6 neigh show dev` (no process per address).
     *
     * ```kotlin
     * val known = NeighbourResolver.kernelTable("kmp-br0", v6 = false) // {10.208.0.11=02:6b:6d:00:02:01}
     * ```
     */
    @InternalKmapApi
    public fun kernelTable(interfaceName: String, v6: Boolean): Map<IpAddress, MacAddress> {
        if (!v6) {
            val text = try {
                File("/proc/net/arp").readText()
            } catch (_: Exception) {
                return emptyMap()
            }
            return parseProcArpTable(text, interfaceName)
        }
        val p = try {
            ProcessBuilder("ip", "-6", "neigh", "show", "dev", interfaceName).redirectErrorStream(true).start()
        } catch (_: Exception) {
            return emptyMap()
        }
        try {
            p.outputStream.close()
            val out = p.inputStream.bufferedReader().readText()
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return emptyMap()
            val table = HashMap<IpAddress, MacAddress>()
            for (line in out.lineSequence()) {
                val address = runCatching { IpAddress.parse(line.trim().substringBefore(' ')) }.getOrNull() ?: continue
                parseIpNeigh(line, address)?.let { table[address] = it }
            }
            return table
        } finally {
            p.destroyForcibly()
        }
    }

    /** Every complete entry of /proc/net/arp on [interfaceName]. */
    internal fun parseProcArpTable(text: String, interfaceName: String): Map<IpAddress, MacAddress> {
        val table = HashMap<IpAddress, MacAddress>()
        for (line in text.lineSequence().drop(1)) {
            val f = line.trim().split(Interfaces.WS)
            if (f.size < 6 || f[5] != interfaceName) continue
            val address = runCatching { IpAddress.parse(f[0]) }.getOrNull() ?: continue
            parseProcArp(line, address, interfaceName, header = false)?.let { table[address] = it }
        }
        return table
    }

    private fun procArp(address: IpAddress, interfaceName: String): MacAddress? {
        val text = try {
            File("/proc/net/arp").readText()
        } catch (_: Exception) {
            return null
        }
        return parseProcArp(text, address, interfaceName)
    }

    /** /proc/net/arp: `IP HW-type Flags HW-address Mask Device`; flag 0x2 = complete. */
    internal fun parseProcArp(text: String, address: IpAddress, interfaceName: String, header: Boolean = true): MacAddress? {
        val wanted = address.toString()
        for (line in text.lineSequence().drop(if (header) 1 else 0)) {
            val f = line.trim().split(Interfaces.WS)
            if (f.size < 6 || f[0] != wanted || f[5] != interfaceName) continue
            val flags = f[2].removePrefix("0x").toIntOrNull(16) ?: continue
            if (flags and 0x2 == 0) continue
            val mac = MacAddress.parseOrNull(f[3]) ?: continue
            if (mac != MacAddress.ZERO) return mac
        }
        return null
    }

    private fun ipNeigh(address: IpAddress, interfaceName: String): MacAddress? {
        val p = try {
            ProcessBuilder("ip", "-6", "neigh", "show", "to", address.toString(), "dev", interfaceName).redirectErrorStream(true).start()
        } catch (_: Exception) {
            return null
        }
        try {
            p.outputStream.close()
            val out = p.inputStream.bufferedReader().readText()
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null
            return parseIpNeigh(out, address)
        } finally {
            p.destroyForcibly()
        }
    }

    /** `ip -6 neigh show to A dev D`: `A lladdr M STATE` per line; FAILED and INCOMPLETE entries have no usable address. */
    internal fun parseIpNeigh(text: String, address: IpAddress): MacAddress? {
        for (line in text.lineSequence()) {
            val f = line.trim().split(Interfaces.WS)
            if (f.isEmpty() || runCatching { IpAddress.parse(f[0]) }.getOrNull() != address) continue
            val i = f.indexOf("lladdr")
            if (i < 0 || i + 1 >= f.size) continue
            if (f.any { it == "FAILED" || it == "INCOMPLETE" }) continue
            return MacAddress.parseOrNull(f[i + 1]) ?: continue
        }
        return null
    }
}
