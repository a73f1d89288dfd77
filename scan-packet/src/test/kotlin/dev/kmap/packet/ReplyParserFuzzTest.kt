package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.PacketDecoder
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Property test: the reply parser returns a result for every input and never throws. It calls
 * the decoder without the public entry point's safety net, so any exception shows.
 */
class ReplyParserFuzzTest {
    private val linkTypes = LinkType.entries

    private fun decode(b: ByteArray, off: Int, len: Int, lt: LinkType, what: String): ParsedReply = try {
        PacketDecoder.decode(b, off, len, lt)
    } catch (e: Throwable) {
        fail("$what: ${e::class.simpleName} ${e.message} on $lt ${b.copyOfRange(off, off + len).joinToString("") { "%02x".format(it) }}", e)
    }

    /** Valid frames of every kind the parser knows, as seeds for mutation. */
    private fun seeds(r: Random): List<Pair<LinkType, ByteArray>> {
        val out = ArrayList<Pair<LinkType, ByteArray>>()
        for (v6 in listOf(false, true)) {
            val a = Rand.address(r, v6)
            val b = Rand.address(r, v6)
            val eth = EthernetAddresses(Rand.mac(r), Rand.mac(r))
            for (e in listOf(eth, null)) {
                val lt = if (e == null) LinkType.RAW_IP else LinkType.ETHERNET
                fun add(t: (ByteArray) -> Int) = ByteArray(300).let { buf -> out += lt to buf.copyOf(t(buf)) }
                add { TcpProbeTemplate(a, e, TcpFlags.SYN or TcpFlags.ACK).write(it, 0, b, 80, 40000, 1, 2) }
                add { TcpProbeTemplate(a, e, TcpFlags.RST).write(it, 0, b, 80, 40000, 1, 2) }
                add { UdpProbeTemplate(a, e, byteArrayOf(1, 2, 3)).write(it, 0, b, 53, 40000) }
                add { IcmpEchoTemplate(a, e).write(it, 0, b, 1, 2) }
                if (!v6) add { IcmpTimestampTemplate(a, e).write(it, 0, b, 1, 2) }
            }
            val probe = ByteArray(100).let { buf -> buf.copyOf(TcpProbeTemplate(b, null, TcpFlags.SYN).write(buf, 0, a, 40000, 443, 7)) }
            val udpProbe = ByteArray(100).let { buf -> buf.copyOf(UdpProbeTemplate(b, null).write(buf, 0, a, 40000, 161)) }
            val err = if (v6) 1 else 3
            out += LinkType.RAW_IP to Frames.icmpError(a, b, err, if (v6) 4 else 3, udpProbe)
            out += LinkType.RAW_IP to Frames.icmpError(a, b, err, 1, probe)
            out += LinkType.ETHERNET to Frames.ethernet(if (v6) 0x86dd else 0x0800, Frames.icmpError(a, b, err, 13, probe))
        }
        val v6a = Rand.v6(r)
        out += LinkType.ETHERNET to Frames.neighbourAdvert(v6a, Rand.v6(r), v6a, Rand.mac(r))
        out += LinkType.ETHERNET to Frames.arpReply(Rand.mac(r), Rand.v4(r), Rand.mac(r), Rand.v4(r))
        val ns = ByteArray(100).let { buf -> buf.copyOf(NeighbourSolicitationTemplate(Rand.mac(r), Rand.v6(r)).write(buf, 0, Rand.v6(r))) }
        out += LinkType.ETHERNET to ns
        // VLAN-tagged, cooked and BSD loopback framings of an IPv4 SYN/ACK
        val ip = out.first { it.first == LinkType.RAW_IP }.second
        out += LinkType.ETHERNET to (ByteArray(12) + byteArrayOf(0x81.toByte(), 0, 0, 5, 8, 0) + ip)
        out += LinkType.LINUX_SLL to (ByteArray(14) + byteArrayOf(8, 0) + ip)
        out += LinkType.LINUX_SLL2 to (byteArrayOf(8, 0) + ByteArray(18) + ip)
        out += LinkType.NULL to (byteArrayOf(2, 0, 0, 0) + ip)
        // IPv6 with extension headers before TCP
        val tcp6 = out.first { it.first == LinkType.RAW_IP && (it.second[0].toInt() ushr 4) == 6 }.second
        val ext = tcp6.copyOf(40) + byteArrayOf(6, 0, 0, 0, 0, 0, 0, 0) + tcp6.copyOfRange(40, tcp6.size)
        ext[6] = 0 // hop-by-hop first
        val plen = ext.size - 40
        ext[4] = (plen shr 8).toByte(); ext[5] = plen.toByte()
        out += LinkType.RAW_IP to ext
        return out
    }

    @Test
    fun `random buffers never make the parser throw`() {
        val r = Random(77_001)
        var parsed = 0
        repeat(120_000) { i ->
            val len = if (i % 4 == 0) r.nextInt(0, 16) else r.nextInt(0, 200)
            val b = r.nextBytes(len + 8)
            // random bytes rarely form a header; force plausible version / EtherType bytes half the time
            if (i % 2 == 0 && len >= 15) {
                val kind = r.nextInt(4)
                b[4 + 12] = when (kind) { 0 -> 0x08; 1 -> 0x86.toByte(); 2 -> 0x08; else -> 0x81.toByte() }
                b[4 + 13] = when (kind) { 0 -> 0x00; 1 -> 0xdd.toByte(); 2 -> 0x06; else -> 0x00 }
                b[4 + 14] = if (r.nextBoolean()) 0x45 else 0x60
            }
            val lt = linkTypes[r.nextInt(linkTypes.size)]
            if (decode(b, 4, len, lt, "random #$i") !is ParsedReply.Unparsable) parsed++
        }
        println("random buffers: $parsed of 120000 parsed to something other than Unparsable")
    }

    @Test
    fun `mutated valid frames never make the parser throw`() {
        val r = Random(77_002)
        val seeds = seeds(r)
        // the seeds themselves parse
        for ((lt, f) in seeds) {
            val p = decode(f, 0, f.size, lt, "seed")
            assertTrue(p !is ParsedReply.Unparsable && p !is ParsedReply.Other, "seed parses: $p")
        }
        val kinds = HashMap<String, Int>()
        repeat(200_000) { i ->
            val (lt, seed) = seeds[r.nextInt(seeds.size)]
            var f = seed.copyOf()
            repeat(r.nextInt(1, 5)) {
                when (r.nextInt(5)) {
                    0 -> if (f.isNotEmpty()) f[r.nextInt(f.size)] = r.nextInt().toByte() // flip a byte
                    1 -> if (f.isNotEmpty()) f = f.copyOf(r.nextInt(f.size)) // truncate
                    2 -> f += r.nextBytes(r.nextInt(1, 30)) // extend
                    3 -> if (f.size > 20) { // smash a length-ish byte in the first 60
                        val at = r.nextInt(minOf(f.size, 60))
                        f[at] = listOf(0, 0xff, 0x40, 0x4f, 0x80, 0x05, 0x06).random(r).toByte()
                    }
                    else -> if (f.size > 2) { // cut a slice out of the middle
                        val from = r.nextInt(f.size - 1)
                        f = f.copyOf(from) + f.copyOfRange(minOf(f.size, from + r.nextInt(1, 9)), f.size)
                    }
                }
            }
            val off = r.nextInt(0, 3)
            val buf = ByteArray(off) + f + ByteArray(r.nextInt(0, 3))
            val p = decode(buf, off, f.size, lt, "mutation #$i")
            kinds.merge(p::class.simpleName!!, 1, Int::plus)
        }
        println("mutated frames parsed as: $kinds")
        assertTrue(kinds.keys.containsAll(listOf("Tcp", "Udp", "Icmp", "IcmpError", "Unparsable")), "mutations reach the interesting paths: $kinds")
    }

    @Test
    fun `the public parser refuses bounds outside the buffer without throwing`() {
        val b = ByteArray(10)
        for ((off, len) in listOf(-1 to 5, 0 to -1, 5 to 6, 11 to 0, Int.MAX_VALUE to 1, 1 to Int.MAX_VALUE)) {
            assertTrue(ReplyParser.parse(b, off, len, LinkType.ETHERNET) is ParsedReply.Unparsable)
        }
        assertTrue(ReplyParser.parse(b, 10, 0, LinkType.RAW_IP) is ParsedReply.Unparsable)
        assertTrue(ReplyParser.parseIp(IpAddress.parse("10.0.0.1").toBytes(), 0, 4) is ParsedReply.Unparsable)
    }
}
