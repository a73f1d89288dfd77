package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.lab.Lab
import dev.kmap.lab.RequiresLab
import java.net.InetSocketAddress
import java.net.Socket
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The packet layer against real kernels in the lab: routes, neighbours, and raw probes through
 * the lab bridge answered as the lab's ground truth says. Every send is preceded by a check
 * that the destination routes via the lab bridge.
 */
@RequiresLab(config = PacketLab::class)
class PacketLabTest {
    private val key = ProbeKey.random()
    private val sports = 45000..45099

    private fun ip(s: String) = IpAddress.parse(s)

    private fun run(vararg cmd: String): String {
        val p = ProcessBuilder(*cmd).redirectErrorStream(true).start()
        p.outputStream.close()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(10, TimeUnit.SECONDS)) { "${cmd.joinToString(" ")} timed out" }
        return out
    }

    /** Opens the packet I/O for the route to [dst] (a lab address, checked) with Ethernet addresses resolved. */
    private fun <T> withPath(lab: Lab, dst: IpAddress, block: (PacketIo, Route, EthernetAddresses?) -> T): T {
        PacketLab.requireLabRoute(lab, dst)
        val route = assertNotNull(RouteResolver.system().route(dst))
        assertEquals(lab.bridge, route.interfaceName)
        return PacketIo.open(route.interfaceName).use { io ->
            val eth = NeighbourResolver.ethernetAddresses(route, io)
            block(io, route, eth)
        }
    }

    /** Receives until [done] or [millis] pass, feeding parsed packets to [onReply]. Bounded in time. */
    private fun receiveFor(io: PacketIo, millis: Long, done: () -> Boolean = { false }, onReply: (ParsedReply) -> Unit) {
        val deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis)
        while (!done()) {
            val remaining = deadline - System.nanoTime()
            if (remaining <= 0) break
            io.receive(remaining) { b, o, l, _ -> onReply(ReplyParser.parse(b, o, l, io.capabilities.linkType)) }
        }
    }

    @Test
    fun `routes to lab hosts leave by the lab bridge from its address, as ip route get says`(lab: Lab) {
        val table = ProcRouteTable.load()
        val command = IpRouteCommand()
        val h1 = lab.host(1)
        val bridgeMac = MacAddress.parse(lab.bridgeMac)
        assertEquals(Route(ip(h1.ipv4), lab.bridge, ip(lab.scannerIpv4), null, false, bridgeMac), table.route(ip(h1.ipv4)))
        assertEquals(Route(ip(h1.ipv6), lab.bridge, ip(lab.scannerIpv6), null, false, bridgeMac), table.route(ip(h1.ipv6)))
        assertEquals(Route(ip(lab.scannerIpv4), "lo", ip(lab.scannerIpv4), null, true, null), table.route(ip(lab.scannerIpv4)))
        // the /proc snapshot and the kernel agree (lookups only: nothing is sent to the outside addresses)
        for (a in listOf(h1.ipv4, h1.ipv6, lab.host(2).ipv4, lab.scannerIpv4, lab.scannerIpv6, "127.0.0.1", "127.3.2.1", "::1", "8.8.8.8", "2001:db8::1")) {
            assertEquals(command.route(ip(a)), table.route(ip(a)), "route to $a")
        }
    }

    @Test
    fun `a lab host's MAC comes from the neighbour table, or from ARP and NDP on the wire`(lab: Lab) {
        val h = lab.host(2)
        for (address in listOf(ip(h.ipv4), ip(h.ipv6))) {
            PacketLab.requireLabRoute(lab, address)
            // known after a connection
            Socket().use { it.connect(InetSocketAddress(if (address.isV6) h.inet6 else h.inet4, 80), 3_000) }
            assertEquals(MacAddress.parse(h.mac), NeighbourResolver.cached(address, lab.bridge), "cached entry for $address")
            // forgotten, then asked for
            // the closing connection's last segments may re-create the entry: delete until it stays gone (bounded)
            for (attempt in 1..20) {
                run("ip", if (address.isV6) "-6" else "-4", "neigh", "del", address.toString(), "dev", lab.bridge)
                Thread.sleep(50)
                if (NeighbourResolver.cached(address, lab.bridge) == null) break
            }
            assertNull(NeighbourResolver.cached(address, lab.bridge), "entry for $address deleted")
            val route = assertNotNull(RouteResolver.system().route(address))
            PacketIo.open(route.interfaceName).use { io ->
                assertIs<PcapPacketIo>(io)
                assertEquals(PacketIoCapabilities(LinkType.ETHERNET, canInjectFrames = true, needsRawIpSocket = false), io.capabilities)
                assertEquals(MacAddress.parse(h.mac), NeighbourResolver.resolve(route, io), "active resolution of $address")
                assertTrue(io.stats().sent >= 1)
            }
        }
    }

    @Test
    fun `raw SYNs get a SYN-ACK from an open port, RST from a closed one, nothing from a filtered one, v4 and v6`(lab: Lab) {
        val h = lab.host(1)
        val open = h.openTcpPorts.first()
        val closed = 81
        val filtered = h.filteredTcpPorts.first()
        check(h.tcpState(closed) == dev.kmap.lab.PortState.CLOSED)
        for (dst in listOf(ip(h.ipv4), ip(h.ipv6))) withPath(lab, dst) { io, route, eth ->
            assertNotNull(eth)
            io.setFilter(CaptureFilter.tcpReplies(route.source, sports))
            val syn = TcpProbeTemplate(route.source, eth, TcpFlags.SYN)
            val batch = PacketBatch(8)
            val probes = listOf(45001 to open, 45002 to closed, 45003 to filtered)
            for ((sport, dport) in probes) {
                val seq = key.tcpSequence(route.source, dst, sport, dport)
                batch.commit(syn.write(batch.nextBuffer(), 0, dst, sport, dport, seq, seq))
            }
            // and one whose sequence number does not carry the hash: its SYN/ACK must not validate
            batch.commit(syn.write(batch.nextBuffer(), 0, dst, 45004, open, key.tcpSequence(route.source, dst, 45004, open) + 7))
            assertEquals(4, io.send(batch))
            val valid = HashMap<Int, ParsedReply.Tcp>()
            val invalid = ArrayList<ParsedReply.Tcp>()
            receiveFor(io, 1_500) { r ->
                if (r is ParsedReply.Tcp) if (key.isValidTcpReply(r, TcpFlags.SYN)) valid[r.sourcePort] = r else invalid += r
            }
            assertEquals(setOf(open, closed), valid.keys, "validated replies from $dst: $valid")
            assertEquals(TcpFlags.SYN or TcpFlags.ACK, valid.getValue(open).flags)
            assertEquals(TcpFlags.RST or TcpFlags.ACK, valid.getValue(closed).flags)
            assertTrue(valid.values.all { it.source == dst && it.destination == route.source })
            assertEquals(listOf(45004), invalid.map { it.destinationPort }.distinct(), "the unhashed probe's answer is rejected: $invalid")
        }
    }

    @Test
    fun `UDP probes get an echo from an open port and a port unreachable quoting the probe from a closed one`(lab: Lab) {
        val h = lab.host(1)
        val open = h.openUdpPorts.first()
        val closed = 54
        val filtered = h.filteredUdpPorts.first()
        check(h.udpState(closed) == dev.kmap.lab.PortState.CLOSED)
        for (dst in listOf(ip(h.ipv4), ip(h.ipv6))) withPath(lab, dst) { io, route, eth ->
            io.setFilter(CaptureFilter.udpReplies(route.source))
            val udp = UdpProbeTemplate(route.source, eth, "kmap".toByteArray())
            val batch = PacketBatch(4)
            for (port in listOf(open, closed, filtered)) {
                batch.commit(udp.write(batch.nextBuffer(), 0, dst, key.udpSourcePort(route.source, dst, port, sports.first, 100), port))
            }
            assertEquals(3, io.send(batch))
            var echo: ParsedReply.Udp? = null
            var unreachable: QuotedPacket? = null
            val others = ArrayList<ParsedReply>()
            receiveFor(io, 1_500) { r ->
                when {
                    r is ParsedReply.Udp && key.isValidUdpReply(r, sports.first, 100) -> echo = r
                    r is ParsedReply.IcmpError && r.isPortUnreachable && r.quoted?.let { key.isValidQuotedProbe(it, sports.first, 100) } == true -> unreachable = r.quoted
                    r is ParsedReply.Udp || r is ParsedReply.IcmpError -> others += r // could only be about the filtered port
                    else -> {} // e.g. the target's kernel checking that we are still there (neighbour discovery)
                }
            }
            assertEquals(open, echo?.sourcePort, "echo from $dst:$open; others: $others")
            assertEquals(4, echo?.payloadLength)
            assertEquals(dst, unreachable?.destination)
            assertEquals(closed, unreachable?.destinationPort, "port unreachable names the closed port; others: $others")
            assertTrue(others.isEmpty(), "nothing from the filtered port: $others")
        }
    }

    @Test
    fun `ICMP echo requests are answered with the identity the key gave them`(lab: Lab) {
        for (dst in listOf(ip(lab.host(2).ipv4), ip(lab.host(2).ipv6))) withPath(lab, dst) { io, route, eth ->
            io.setFilter(CaptureFilter.icmpReplies(route.source))
            val ping = IcmpEchoTemplate(route.source, eth, "kmap".toByteArray())
            val id = key.icmpIdentity(route.source, dst)
            val batch = PacketBatch(1)
            batch.commit(ping.write(batch.nextBuffer(), 0, dst, id ushr 16, id and 0xffff))
            io.send(batch)
            var reply: ParsedReply.Icmp? = null
            receiveFor(io, 1_500, { reply != null }) { r -> if (r is ParsedReply.Icmp && r.isReply && key.isValidIcmpReply(r)) reply = r }
            assertEquals(dst, assertNotNull(reply, "echo reply from $dst").source)
        }
    }

    @Test
    fun `receive returns within its timeout when nothing comes`(lab: Lab) {
        PacketIo.open(lab.bridge, PacketIoOptions(filter = "udp and dst port 9")).use { io ->
            val t0 = System.nanoTime()
            assertEquals(0, io.receive(200_000_000) { _, _, _, _ -> })
            val took = System.nanoTime() - t0
            assertTrue(took in 150_000_000..1_000_000_000, "receive(200 ms) took ${took / 1_000_000} ms")
            assertEquals(0, io.receive(0) { _, _, _, _ -> })
        }
        assertFalse(RawPackets.unavailableReason() != null)
    }
}
