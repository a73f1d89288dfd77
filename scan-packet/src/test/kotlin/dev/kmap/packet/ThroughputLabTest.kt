package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.lab.Lab
import dev.kmap.lab.RequiresLab
import java.util.BitSet
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.locks.LockSupport
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Throughput smoke check, not a timed assertion: one SYN to each of the 65535 ports of a lab host
 * from a transmit thread, replies counted on a separate receive thread (validated by the probe
 * key, deduplicated), the rates printed. The assertions are about correctness only.
 */
@RequiresLab(config = PacketLab::class)
class ThroughputLabTest {
    @Test
    fun `65535 SYNs to one lab host, replies counted on a separate thread`(lab: Lab) {
        val host = lab.host(1)
        val dst = IpAddress.parse(host.ipv4)
        PacketLab.requireLabRoute(lab, dst)
        val route = assertNotNull(RouteResolver.system().route(dst))
        val key = ProbeKey.random()
        val sportBase = 46000
        val sportCount = 16
        val ports = 65535
        PacketIo.open(route.interfaceName, PacketIoOptions(bufferBytes = 64 shl 20)).use { io ->
            val eth = NeighbourResolver.ethernetAddresses(route, io)
            io.setFilter(CaptureFilter.tcpReplies(route.source, sportBase until sportBase + sportCount))
            val syn = TcpProbeTemplate(route.source, eth, TcpFlags.SYN)

            val answered = BitSet(65536)
            val open = BitSet(65536)
            val seen = DuplicateFilter(1 shl 17)
            var invalid = 0
            var lastReplyNanos = 0L
            val sendingDone = AtomicBoolean(false)
            val t0 = System.nanoTime()
            val receiver = Thread({
                val sink = PacketSink { b, o, l, _ ->
                    val r = ReplyParser.parse(b, o, l, io.capabilities.linkType)
                    if (r is ParsedReply.Tcp && key.isValidTcpReply(r, TcpFlags.SYN)) {
                        if (seen.firstTime(key.hash(r.destination, r.source, r.destinationPort, r.sourcePort))) {
                            answered.set(r.sourcePort)
                            if (r.flags and TcpFlags.SYN != 0) open.set(r.sourcePort)
                            lastReplyNanos = System.nanoTime()
                        }
                    } else {
                        invalid++
                    }
                }
                var quietSince = 0L
                val hardDeadline = t0 + TimeUnit.SECONDS.toNanos(30)
                while (answered.cardinality() < ports && System.nanoTime() < hardDeadline) {
                    val n = io.receive(20_000_000, 4096, sink)
                    if (sendingDone.get()) {
                        // after the last send, stop once nothing came for 2 s
                        if (n > 0) quietSince = 0 else if (quietSince == 0L) quietSince = System.nanoTime()
                        if (quietSince != 0L && System.nanoTime() - quietSince > 2_000_000_000) break
                    }
                }
            }, "kmp-receive")
            receiver.start()

            val batch = PacketBatch(64)
            var next = 1
            var refusedWaits = 0
            val sendDeadline = t0 + TimeUnit.SECONDS.toNanos(30)
            while ((next <= ports || !batch.isEmpty) && System.nanoTime() < sendDeadline) {
                while (!batch.isFull && next <= ports) {
                    val sport = sportBase + next % sportCount
                    val seq = key.tcpSequence(route.source, dst, sport, next)
                    batch.commit(syn.write(batch.nextBuffer(), 0, dst, sport, next, seq, seq))
                    next++
                }
                val sent = io.send(batch)
                batch.dropFirst(sent)
                if (sent == 0) {
                    refusedWaits++
                    LockSupport.parkNanos(50_000)
                }
            }
            val sendNanos = System.nanoTime() - t0
            sendingDone.set(true)
            receiver.join(40_000)
            val stats = io.stats()
            val replies = answered.cardinality()
            val replyNanos = (if (lastReplyNanos > 0) lastReplyNanos else System.nanoTime()) - t0
            println(
                "[kmap packet throughput] %d SYN frames sent in %.3f s = %,.0f pps (%d refused waits); %d of %d ports answered in %.3f s = %,.0f replies/s; open %s; %d invalid; pcap drops %d; %s"
                    .format(
                        stats.sent, sendNanos / 1e9, stats.sent / (sendNanos / 1e9), refusedWaits, replies, ports, replyNanos / 1e9,
                        replies / (replyNanos / 1e9), open, invalid, stats.droppedByKernel, stats,
                    ),
            )
            assertEquals(ports.toLong(), stats.sent + stats.sendFailed, "every probe handed to the kernel")
            assertTrue(replies > 0, "some replies")
            val expectedOpen = host.openTcpPorts
            for (p in open.stream()) assertTrue(p in expectedOpen, "port $p reported open is open in the lab")
            for (p in host.filteredTcpPorts) assertTrue(!answered[p], "filtered port $p answered")
            // with no loss (the usual case) the picture is exact; under load some replies may be lost
            if (replies == ports - host.filteredTcpPorts.size) assertEquals(expectedOpen.toList(), open.stream().toArray().toList(), "every open port found")
        }
    }
}
