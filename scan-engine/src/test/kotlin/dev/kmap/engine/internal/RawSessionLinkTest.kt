package dev.kmap.engine.internal

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.IpAddress
import dev.kmap.engine.Probe
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.packet.LinkType
import dev.kmap.packet.MacAddress
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIo
import dev.kmap.packet.PacketIoCapabilities
import dev.kmap.packet.PacketIoStats
import dev.kmap.packet.PacketSink
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import java.net.InetAddress
import java.util.concurrent.ConcurrentLinkedQueue
import kotlin.test.Test
import kotlin.test.assertEquals

/** A raw session's links on a fake interface (raw IP: no neighbours to ask): route lookups per host, links opened ahead. */
@OptIn(InternalKmapApi::class)
class RawSessionLinkTest {
    /** An IP-only interface that takes every packet and receives nothing. */
    private class FakeIo : PacketIo {
        var sent = 0
        override val interfaceName = "fake0"
        override val capabilities = PacketIoCapabilities(LinkType.RAW_IP, canInjectFrames = false, needsRawIpSocket = true)
        override fun send(batch: PacketBatch): Int = batch.size.also { sent += it }
        override fun receive(timeoutNanos: Long, maxPackets: Int, sink: PacketSink): Int {
            Thread.sleep(1)
            return 0
        }
        override fun setFilter(expression: String) {}
        override fun stats() = PacketIoStats(sent.toLong(), 0, 0, 0, 0)
        override fun close() {}
    }

    private val source = IpAddress.parse("10.9.0.1")
    private var lookups = 0
    private var opens = 0
    private val io = FakeIo()

    /** 10.9.0.0/24 goes out on fake0; nothing else has a route. */
    private val routes = RouteResolver { d ->
        lookups++
        if (!d.isV6 && (d.low ushr 8) == (source.low ushr 8)) Route(d, "fake0", source, gateway = null, isLocal = false, interfaceMac = null) else null
    }

    private fun session() = RawTcpSession(flags = 0x02, classify = { null }, routes = routes, openIo = { opens++; io })

    private fun probe(host: String, port: Int, slot: Int): Probe {
        val ip = IpAddress.parse(host)
        return Probe(InetAddress.getByAddress(ip.toBytes()), port, 0, slot, port, ip)
    }

    @Test
    fun `a port scan of many hosts looks each host's route up once, not once per probe`() {
        val hosts = listOf("10.9.0.11", "10.9.0.12", "10.9.0.13", "10.8.0.1") // the last has no route
        val answered = HashMap<String, Verdict>()
        val sink = ReplySink { p, v -> answered["${p.address.hostAddress}:${p.port}"] = v }
        session().use { s ->
            for (port in 1..100) {
                for ((slot, h) in hosts.withIndex()) assertEquals(SendResult.SENT, s.send(probe(h, port, slot)))
                s.poll(0, sink)
            }
            s.poll(0, sink)
        }
        assertEquals(hosts.size, lookups, "one route lookup per destination")
        assertEquals(1, opens, "one link for the three routable hosts")
        assertEquals(300, io.sent, "every probe to a routable host went out")
        assertEquals(100, answered.size, "every probe to the unroutable host is answered at once")
        assertEquals(setOf("no-route"), answered.values.map { it.reason }.toSet())
    }

    @Test
    fun `prepare opens the link ahead, and the probes then use it`() {
        session().use { s ->
            s.prepare(IpAddress.parse("10.9.0.11"))
            assertEquals(1, opens, "the link is open before the first probe")
            assertEquals(0, io.sent)
            s.send(probe("10.9.0.11", 80, 0))
            s.send(probe("10.9.0.12", 80, 1))
            s.poll(0) { _, _ -> }
            assertEquals(1, opens, "no second open")
            assertEquals(2, io.sent)
        }
        session().use { s ->
            s.prepare(IpAddress.parse("10.8.0.1")) // no route: nothing opened, no failure
            assertEquals(1, opens)
        }
    }

    /**
     * An Ethernet interface that records the frames sent and answers every ARP request for an
     * address in [present] (MAC 02:00:00:00:00:<last octet>). Nothing leaves the test.
     */
    private class FakeEthernet(val name: String, val ownMac: MacAddress, val present: Set<IpAddress>) : PacketIo {
        val frames = ConcurrentLinkedQueue<ByteArray>()
        private val answers = ConcurrentLinkedQueue<ByteArray>()
        override val interfaceName = name
        override val capabilities = PacketIoCapabilities(LinkType.ETHERNET, canInjectFrames = true, needsRawIpSocket = false)
        override fun send(batch: PacketBatch): Int {
            for (i in 0 until batch.size) {
                val frame = batch.buffer(i).copyOf(batch.length(i))
                frames += frame
                if (isArp(frame)) {
                    val asked = IpAddress.ofV4(ipAt(frame, 38))
                    if (asked in present) answers += arpReply(asked)
                }
            }
            return batch.size
        }
        override fun receive(timeoutNanos: Long, maxPackets: Int, sink: PacketSink): Int {
            var n = 0
            while (true) {
                val frame = answers.poll() ?: break
                sink.packet(frame, 0, frame.size, 0)
                n++
            }
            if (n == 0) Thread.sleep(1)
            return n
        }
        override fun setFilter(expression: String) {}
        override fun stats() = PacketIoStats(frames.size.toLong(), 0, 0, 0, 0)
        override fun close() {}

        private fun arpReply(address: IpAddress): ByteArray {
            val mac = macOf(address).toBytes()
            val frame = ByteArray(42)
            ownMac.toBytes().copyInto(frame, 0)
            mac.copyInto(frame, 6)
            frame[12] = 0x08; frame[13] = 0x06
            byteArrayOf(0, 1, 8, 0, 6, 4, 0, 2).copyInto(frame, 14)
            mac.copyInto(frame, 22)
            address.toBytes().copyInto(frame, 28)
            ownMac.toBytes().copyInto(frame, 32)
            return frame
        }
    }

    @Test
    fun `one link carries on-link and routed destinations, each framed to its own next hop`() {
        val ownMac = MacAddress.parse("02:00:00:00:00:01")
        val gateway = IpAddress.parse("10.9.0.254")
        val onLink = IpAddress.parse("10.9.0.11")
        val routed = IpAddress.parse("10.77.0.5")
        // either order: the link is opened for the first destination's route
        for ((i, order) in listOf(listOf(onLink, routed), listOf(routed, onLink)).withIndex()) {
            // a name of its own: the neighbour cache is shared by every session in this JVM
            val eth = FakeEthernet("fakeeth-hops$i", ownMac, setOf(gateway, onLink))
            val routes = RouteResolver { d ->
                val viaGateway = (d.low ushr 8) != (source.low ushr 8)
                Route(d, eth.name, source, gateway = if (viaGateway) gateway else null, isLocal = false, interfaceMac = ownMac)
            }
            RawTcpSession(flags = 0x02, classify = { null }, routes = routes, openIo = { eth }).use { s ->
                for ((slot, d) in order.withIndex()) assertEquals(SendResult.SENT, s.send(probe(d.toString(), 80, slot)))
                val deadline = System.nanoTime() + 2_000_000_000L
                while (eth.frames.count { !isArp(it) } < 2 && System.nanoTime() < deadline) s.poll(10_000_000) { _, _ -> }
            }
            val asked = eth.frames.filter(::isArp).map { IpAddress.ofV4(ipAt(it, 38)) }.toSet()
            assertEquals(setOf(onLink, gateway), asked, "ARP asks for the on-link host and the gateway only ($order)")
            val probes = eth.frames.filter { !isArp(it) }.associate { IpAddress.ofV4(ipAt(it, 30)) to MacAddress.ofBytes(it, 0) }
            assertEquals(mapOf(onLink to macOf(onLink), routed to macOf(gateway)), probes, "frames go to the next hop's MAC ($order)")
        }
    }

    private companion object {
        fun isArp(frame: ByteArray) = frame[12] == 0x08.toByte() && frame[13] == 0x06.toByte()
        fun ipAt(frame: ByteArray, offset: Int): Int = (0 until 4).fold(0) { a, i -> (a shl 8) or (frame[offset + i].toInt() and 0xff) }
        fun macOf(address: IpAddress) = MacAddress(0x020000000000L or (address.low and 0xff))
    }
}
