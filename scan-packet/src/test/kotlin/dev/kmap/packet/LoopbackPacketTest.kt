package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import org.junit.jupiter.api.Assumptions.assumeTrue
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Raw SYNs to 127.0.0.1 and ::1 through the raw-IP-socket packet I/O, answers captured on lo.
 * Needs raw packets (root); skipped with the reason otherwise. Only loopback addresses are used.
 */
class LoopbackPacketTest {
    private val key = ProbeKey.random()

    private fun assumeRawPackets() {
        val reason = RawPackets.unavailableReason()
        assumeTrue(reason == null) { "raw packets unavailable: $reason" }
    }

    /** A port nothing listens on (bound, then closed: closed ports answer RST). */
    private fun closedPort(address: InetAddress): Int = ServerSocket().use { it.bind(InetSocketAddress(address, 0)); it.localPort }

    private fun synExchange(loopback: String) {
        val address = InetAddress.getByName(loopback)
        val server = try {
            ServerSocket(0, 50, address)
        } catch (e: java.io.IOException) {
            assumeTrue(false) { "cannot listen on $loopback: ${e.message}" }
            return
        }
        server.use {
            val dst = IpAddress.parse(loopback)
            val route = assertNotNull(RouteResolver.system().route(dst))
            assertTrue(route.isLocal)
            val open = server.localPort
            val closed = closedPort(address)
            PacketIo.open(route.interfaceName, PacketIoOptions(filter = "tcp and (src port $open or src port $closed) and dst portrange 47000-47009")).use { io ->
                assertIs<RawSocketPacketIo>(io)
                assertTrue(io.capabilities.needsRawIpSocket && !io.capabilities.canInjectFrames)
                val syn = TcpProbeTemplate(route.source, null, TcpFlags.SYN)
                val batch = PacketBatch(4)
                for ((sport, dport) in listOf(47000 to open, 47001 to closed)) {
                    batch.commit(syn.write(batch.nextBuffer(), 0, dst, sport, dport, key.tcpSequence(route.source, dst, sport, dport)))
                }
                assertEquals(2, io.send(batch))
                val replies = HashMap<Int, ParsedReply.Tcp>()
                val deadline = System.nanoTime() + 3_000_000_000
                while (replies.size < 2 && System.nanoTime() < deadline) {
                    io.receive(deadline - System.nanoTime()) { b, o, l, _ ->
                        val r = ReplyParser.parse(b, o, l, io.capabilities.linkType)
                        if (r is ParsedReply.Tcp && key.isValidTcpReply(r, TcpFlags.SYN)) replies[r.sourcePort] = r
                    }
                }
                assertEquals(TcpFlags.SYN or TcpFlags.ACK, replies[open]?.flags, "SYN/ACK from the listener on $loopback:$open: $replies")
                assertEquals(TcpFlags.RST or TcpFlags.ACK, replies[closed]?.flags, "RST from the closed port $loopback:$closed: $replies")
                assertEquals(2L, io.stats().sent)
            }
        }
    }

    @Test
    fun `a raw SYN to 127_0_0_1 is answered and the answer captured on lo`() {
        assumeRawPackets()
        synExchange("127.0.0.1")
    }

    @Test
    fun `a raw SYN to the IPv6 loopback is answered too`() {
        assumeRawPackets()
        synExchange("::1")
    }

    @Test
    fun `filter changes and close from other threads, and close from inside a sink, neither hang nor deadlock`() {
        assumeRawPackets()
        PacketIo.open("lo", PacketIoOptions(filter = "udp and dst port 9")).use { io ->
            val stop = java.util.concurrent.atomic.AtomicBoolean(false)
            val receiver = Thread {
                while (!stop.get()) io.receive(2_000_000_000) { _, _, _, _ -> }
            }
            receiver.start()
            Thread.sleep(50)
            repeat(5) { i ->
                val t0 = System.nanoTime()
                io.setFilter("udp and dst port ${9 + i}")
                assertTrue(System.nanoTime() - t0 < 1_000_000_000, "setFilter waited for the whole receive timeout")
            }
            stop.set(true)
            val t0 = System.nanoTime()
            io.close()
            receiver.join(3_000)
            assertTrue(!receiver.isAlive && System.nanoTime() - t0 < 1_000_000_000, "close ended the receive promptly")
            assertEquals(0, io.receive(0) { _, _, _, _ -> })
        }
        // a sink that closes its own PacketIo
        ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { server ->
            val lo = IpAddress.parse("127.0.0.1")
            val io = PacketIo.open("lo", PacketIoOptions(filter = "tcp and src port ${server.localPort}"))
            val b = PacketBatch(1)
            b.commit(TcpProbeTemplate(lo, null, TcpFlags.SYN).write(b.nextBuffer(), 0, lo, 47005, server.localPort, 1))
            io.send(b)
            var delivered = 0
            val deadline = System.nanoTime() + 3_000_000_000
            while (delivered == 0 && System.nanoTime() < deadline) {
                io.receive(deadline - System.nanoTime()) { _, _, _, _ -> delivered++; io.close() }
            }
            assertEquals(1, delivered)
            assertEquals(0, io.receive(1_000_000) { _, _, _, _ -> })
            io.close()
        }
    }

    @Test
    fun `a stream of replies read a few at a time, with naps between the drains, arrives whole, and the timeout still holds`() {
        assumeRawPackets()
        val lo = IpAddress.parse("127.0.0.1")
        val closed = closedPort(InetAddress.getByName("127.0.0.1"))
        val count = 2_000
        val firstPort = 50_000
        PacketIo.open("lo", PacketIoOptions(filter = "tcp and src port $closed and dst portrange $firstPort-${firstPort + count - 1}")).use { io ->
            val syn = TcpProbeTemplate(lo, null, TcpFlags.SYN)
            val batch = PacketBatch(64)
            var sent = 0
            val sendDeadline = System.nanoTime() + 5_000_000_000
            while (sent < count && System.nanoTime() < sendDeadline) { // closed port: each SYN is answered by a RST
                while (!batch.isFull && sent + batch.size < count) {
                    val sport = firstPort + sent + batch.size
                    batch.commit(syn.write(batch.nextBuffer(), 0, lo, sport, closed, key.tcpSequence(lo, lo, sport, closed)))
                }
                val n = io.send(batch)
                batch.dropFirst(n)
                sent += n
            }
            assertEquals(count, sent)
            val seen = HashSet<Int>()
            var calls = 0
            val deadline = System.nanoTime() + 10_000_000_000
            while (seen.size < count && System.nanoTime() < deadline) {
                calls++
                io.receive(50_000_000, maxPackets = 8) { b, o, l, _ ->
                    val r = ReplyParser.parse(b, o, l, io.capabilities.linkType)
                    if (r is ParsedReply.Tcp && r.flags and TcpFlags.RST != 0) seen += r.destinationPort
                }
            }
            assertEquals(count, seen.size, "every RST of the stream, read 8 at a time in $calls calls")
            // the last call got packets (the reader naps at the next): a wait with nothing to come still ends on time
            val t0 = System.nanoTime()
            assertEquals(0, io.receive(0) { _, _, _, _ -> })
            assertEquals(0, io.receive(20_000_000) { _, _, _, _ -> })
            assertTrue(System.nanoTime() - t0 < 1_000_000_000, "an empty receive ended after its timeout, not much later")
        }
    }
}
