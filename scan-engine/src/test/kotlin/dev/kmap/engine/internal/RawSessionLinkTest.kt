package dev.kmap.engine.internal

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.IpAddress
import dev.kmap.engine.Probe
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.packet.LinkType
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIo
import dev.kmap.packet.PacketIoCapabilities
import dev.kmap.packet.PacketIoStats
import dev.kmap.packet.PacketSink
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import java.net.InetAddress
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
}
