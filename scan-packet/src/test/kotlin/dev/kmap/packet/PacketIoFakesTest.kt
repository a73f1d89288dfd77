package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** PacketBatch, FakePacketIo and DryRunPacketIo: the doubles engine tests will build on. */
class PacketIoFakesTest {
    private val us = IpAddress.parse("10.208.0.1")
    private val them = IpAddress.parse("10.208.0.11")
    private val eth = EthernetAddresses(MacAddress.parse("02:00:00:00:00:01"), MacAddress.parse("02:00:00:00:00:02"))
    private val syn = TcpProbeTemplate(us, eth, TcpFlags.SYN)
    private val key = ProbeKey(5, 6)

    private fun fill(batch: PacketBatch, ports: IntRange) {
        for (p in ports) batch.commit(syn.write(batch.nextBuffer(), 0, them, 40000, p, key.tcpSequence(us, them, 40000, p)))
    }

    @Test
    fun `a batch keeps the unsent rest in order after a partial send`() {
        val b = PacketBatch(4, 128)
        fill(b, 1..4)
        assertTrue(b.isFull)
        assertFailsWith<IllegalStateException> { b.nextBuffer() }
        val third = b.buffer(2).copyOf(b.length(2))
        b.dropFirst(2)
        assertEquals(2, b.size)
        assertContentEquals(third, b.buffer(0).copyOf(b.length(0)))
        fill(b, 5..6)
        assertEquals(listOf(3, 4, 5, 6), (0 until 4).map { (ReplyParser.parse(b.buffer(it), 0, b.length(it), LinkType.ETHERNET) as ParsedReply.Tcp).destinationPort })
        b.dropFirst(4)
        assertTrue(b.isEmpty)
        assertFailsWith<IndexOutOfBoundsException> { b.buffer(0) }
    }

    @Test
    fun `the fake network answers each SYN and the receive side validates the answers`() {
        // a fake target: SYN/ACK on port 80, RST/ACK elsewhere
        val io = FakePacketIo { frame ->
            val p = ReplyParser.parse(frame, 0, frame.size, LinkType.ETHERNET) as ParsedReply.Tcp
            val flags = if (p.destinationPort == 80) TcpFlags.SYN or TcpFlags.ACK else TcpFlags.RST or TcpFlags.ACK
            val buf = ByteArray(100)
            listOf(buf.copyOf(TcpProbeTemplate(them, eth, flags).write(buf, 0, us, p.destinationPort, p.sourcePort, 0, p.sequence + 1)))
        }
        io.acceptPerSend = 3
        val batch = PacketBatch(8)
        fill(batch, 78..82)
        assertEquals(3, io.send(batch))
        batch.dropFirst(3)
        assertEquals(2, io.send(batch))
        val got = ArrayList<ParsedReply.Tcp>()
        val n = io.receive(0) { buf, off, len, _ -> got += ReplyParser.parse(buf, off, len, LinkType.ETHERNET) as ParsedReply.Tcp }
        assertEquals(5, n)
        assertTrue(got.all { key.isValidTcpReply(it, TcpFlags.SYN) })
        assertEquals(listOf(80), got.filter { it.flags and TcpFlags.SYN != 0 }.map { it.sourcePort })
        assertEquals(5, io.sent.size)
        io.setFilter("tcp")
        assertEquals("tcp", io.filter)
        assertEquals(PacketIoStats(5, 0, 0, 5, 0), io.stats())
    }

    @Test
    fun `receive waits at most its timeout, and wakes for an injected packet`() {
        val io = FakePacketIo()
        val t0 = System.nanoTime()
        assertEquals(0, io.receive(30_000_000) { _, _, _, _ -> })
        val waited = System.nanoTime() - t0
        assertTrue(waited in 25_000_000..2_000_000_000, "waited $waited ns")
        val injector = Thread { Thread.sleep(20); io.inject(Frames.arpReply(eth.source, them, eth.destination, us)) }
        injector.start()
        var got: ParsedReply? = null
        assertEquals(1, io.receive(5_000_000_000) { b, o, l, _ -> got = ReplyParser.parse(b, o, l, LinkType.ETHERNET) })
        injector.join()
        assertIs<ParsedReply.Arp>(got)
        io.close()
        assertEquals(0, io.receive(5_000_000_000) { _, _, _, _ -> })
    }

    @Test
    fun `the dry run prints and records what would be sent, and receives nothing`() {
        val out = StringBuilder()
        DryRunPacketIo(out, maxRecorded = 2).use { io ->
            val b = PacketBatch(4)
            fill(b, 22..24)
            assertEquals(3, io.send(b))
            assertEquals(0, io.receive(1_000_000) { _, _, _, _ -> error("nothing is received") })
            assertEquals(2, io.recorded.size)
            assertEquals(3L, io.stats().sent)
        }
        val lines = out.lines().filter { it.isNotEmpty() }
        assertEquals(3, lines.size)
        assertTrue(lines[0].startsWith("send TCP 10.208.0.1:40000 > 10.208.0.11:22 [S] seq="), lines[0])
    }
}
