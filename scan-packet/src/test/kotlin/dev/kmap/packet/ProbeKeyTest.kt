package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.SipHash
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/** SipHash against the reference vectors, and reply validation: genuine replies pass, altered ones fail. */
class ProbeKeyTest {
    /** Byte-oriented SipHash-2-4 straight from the paper (tail bytes included), independent of the production one. */
    private fun referenceSipHash(key: ByteArray, msg: ByteArray): Long {
        fun le(b: ByteArray, i: Int): Long { var v = 0L; for (j in 7 downTo 0) v = (v shl 8) or (b[i + j].toLong() and 0xff); return v }
        val k0 = le(key, 0); val k1 = le(key, 8)
        var v0 = k0 xor 0x736f6d6570736575L; var v1 = k1 xor 0x646f72616e646f6dL
        var v2 = k0 xor 0x6c7967656e657261L; var v3 = k1 xor 0x7465646279746573L
        fun rotl(x: Long, b: Int) = (x shl b) or (x ushr (64 - b))
        fun round() {
            v0 += v1; v1 = rotl(v1, 13); v1 = v1 xor v0; v0 = rotl(v0, 32)
            v2 += v3; v3 = rotl(v3, 16); v3 = v3 xor v2
            v0 += v3; v3 = rotl(v3, 21); v3 = v3 xor v0
            v2 += v1; v1 = rotl(v1, 17); v1 = v1 xor v2; v2 = rotl(v2, 32)
        }
        val whole = msg.size / 8 * 8
        var i = 0
        while (i < whole) { val m = le(msg, i); v3 = v3 xor m; round(); round(); v0 = v0 xor m; i += 8 }
        var b = (msg.size.toLong() and 0xff) shl 56
        for (j in 0 until msg.size - whole) b = b or ((msg[whole + j].toLong() and 0xff) shl (8 * j))
        v3 = v3 xor b; round(); round(); v0 = v0 xor b
        v2 = v2 xor 0xff; round(); round(); round(); round()
        return v0 xor v1 xor v2 xor v3
    }

    private val key16 = ByteArray(16) { it.toByte() }

    @Test
    fun `the reference implementation gives the paper's test vectors`() {
        // vectors.h of the reference code lists output bytes little-endian: 31 0e 0e dd 47 db 6f 72 for the empty message
        assertEquals(0x726fdb47dd0e0e31L, referenceSipHash(key16, ByteArray(0)))
        assertEquals(0x74f839c593dc67fdL, referenceSipHash(key16, ByteArray(1)))
        assertEquals(0x93f5f5799a932462uL.toLong(), referenceSipHash(key16, ByteArray(8) { it.toByte() }))
        assertEquals(0xa129ca6149be45e5uL.toLong(), referenceSipHash(key16, ByteArray(15) { it.toByte() }))
    }

    @Test
    fun `the word-wise SipHash equals the reference on the words' little-endian bytes`() {
        val r = Random(9)
        repeat(2_000) {
            val k0 = r.nextLong(); val k1 = r.nextLong()
            val words = LongArray(5) { r.nextLong() }
            val key = ByteArray(16) { i -> ((if (i < 8) k0 else k1) ushr (8 * (i % 8))).toByte() }
            val msg = ByteArray(40) { i -> (words[i / 8] ushr (8 * (i % 8))).toByte() }
            val expected = referenceSipHash(key, msg)
            assertEquals(expected, SipHash.hash(k0, k1, words))
            assertEquals(expected, SipHash.hash5(k0, k1, words[0], words[1], words[2], words[3], words[4]))
        }
    }

    private val key = ProbeKey(0x0123456789abcdefL, -0x0fedcba987654321L)

    @Test
    fun `random keys differ from each other and from a zero key`() {
        val us = IpAddress.parse("10.0.0.1")
        val them = IpAddress.parse("10.0.0.2")
        // a key's 128 bits show through its hashes: 20 random keys give 20 different sequence numbers
        val sequences = List(20) { ProbeKey.random().tcpSequence(us, them, 40000, 80) }
        assertEquals(20, sequences.toSet().size, "$sequences")
        assertFalse(ProbeKey(0, 0).tcpSequence(us, them, 40000, 80) in sequences)
    }

    /** Our probe, and the reply the target would send, parsed as the receive loop would see it. */
    private fun reply(us: IpAddress, them: IpAddress, ourPort: Int, theirPort: Int, probeFlags: Int, replyFlags: Int): ParsedReply.Tcp {
        val seq = key.tcpSequence(us, them, ourPort, theirPort)
        val advance = (if (probeFlags and TcpFlags.SYN != 0) 1 else 0) + (if (probeFlags and TcpFlags.FIN != 0) 1 else 0)
        // RFC 793: a RST to a segment with ACK takes its sequence number from that ACK; otherwise it acknowledges
        val (rseq, rack) = if (replyFlags and TcpFlags.ACK != 0) 0x5555 to seq + advance else seq to 0
        val buf = ByteArray(100)
        val n = TcpProbeTemplate(them, null, replyFlags).write(buf, 0, us, theirPort, ourPort, rseq, rack)
        return assertIs(ReplyParser.parseIp(buf, 0, n))
    }

    @Test
    fun `genuine TCP replies to every scan type validate, altered ones do not`() {
        val r = Random(10)
        val cases = listOf(
            TcpFlags.SYN to (TcpFlags.SYN or TcpFlags.ACK), TcpFlags.SYN to (TcpFlags.RST or TcpFlags.ACK),
            TcpFlags.FIN to (TcpFlags.RST or TcpFlags.ACK), TcpFlags.NULL_SCAN to (TcpFlags.RST or TcpFlags.ACK),
            TcpFlags.XMAS_SCAN to (TcpFlags.RST or TcpFlags.ACK), TcpFlags.ACK to TcpFlags.RST, TcpFlags.MAIMON_SCAN to TcpFlags.RST,
        )
        repeat(500) {
            val v6 = r.nextBoolean()
            val us = Rand.address(r, v6); val them = Rand.address(r, v6)
            val ourPort = r.nextInt(1024, 65536); val theirPort = r.nextInt(1, 65536)
            for ((probe, answer) in cases) {
                val genuine = reply(us, them, ourPort, theirPort, probe, answer)
                assertTrue(key.isValidTcpReply(genuine, probe), "genuine $genuine to ${TcpFlags.toString(probe)}")
                val altered = listOf(
                    genuine.copy(source = Rand.address(r, v6)), genuine.copy(destination = Rand.address(r, v6)),
                    genuine.copy(sourcePort = theirPort xor (1 shl r.nextInt(16))), genuine.copy(destinationPort = ourPort xor (1 shl r.nextInt(16))),
                    if (answer and TcpFlags.ACK != 0) genuine.copy(acknowledgment = genuine.acknowledgment + r.nextInt(1, 1000)) else genuine.copy(sequence = genuine.sequence xor (1 shl r.nextInt(32))),
                )
                for (a in altered) assertFalse(key.isValidTcpReply(a, probe), "altered $a")
                assertFalse(ProbeKey(1, 2).isValidTcpReply(genuine, probe), "another scan's key")
            }
        }
    }

    @Test
    fun `a bare RST does not validate a SYN probe even with the right sequence number`() {
        val us = IpAddress.parse("10.0.0.1"); val them = IpAddress.parse("10.0.0.2")
        val rst = reply(us, them, 40000, 80, TcpFlags.ACK, TcpFlags.RST)
        assertTrue(key.isValidTcpReply(rst, TcpFlags.ACK))
        assertFalse(key.isValidTcpReply(rst, TcpFlags.SYN))
    }

    @Test
    fun `UDP replies, ICMP replies and quoted probes validate, altered ones do not`() {
        val r = Random(11)
        var udpFalsePositives = 0
        repeat(500) {
            val v6 = r.nextBoolean()
            val us = Rand.address(r, v6); val them = Rand.address(r, v6)
            val port = r.nextInt(1, 65536)
            val sport = key.udpSourcePort(us, them, port, 40000, 1000)
            assertTrue(sport in 40000 until 41000)
            val buf = ByteArray(200)
            val udpReply = assertIs<ParsedReply.Udp>(ReplyParser.parseIp(buf, 0, UdpProbeTemplate(them, null).write(buf, 0, us, port, sport)))
            assertTrue(key.isValidUdpReply(udpReply, 40000, 1000))
            // the UDP check has only log2(1000) bits: an altered reply passes by chance 1 time in 1000
            if (key.isValidUdpReply(udpReply.copy(sourcePort = port xor 1), 40000, 1000)) udpFalsePositives++
            if (key.isValidUdpReply(udpReply.copy(source = Rand.address(r, v6)), 40000, 1000)) udpFalsePositives++

            // the probe as sent, quoted by a port unreachable
            val probe = buf.copyOf(UdpProbeTemplate(us, null).write(buf, 0, them, sport, port))
            val err = assertIs<ParsedReply.IcmpError>(ReplyParser.parseIp(Frames.icmpError(them, us, if (v6) 1 else 3, if (v6) 4 else 3, probe), 0, (if (v6) 48 else 28) + probe.size))
            assertTrue(key.isValidQuotedProbe(err.quoted!!, 40000, 1000))
            if (key.isValidQuotedProbe(err.quoted!!.copy(destination = Rand.address(r, v6)), 40000, 1000)) udpFalsePositives++
            if (key.isValidQuotedProbe(err.quoted!!.copy(destinationPort = port xor 1), 40000, 1000)) udpFalsePositives++

            val seq = key.tcpSequence(us, them, 40000, port)
            val syn = buf.copyOf(TcpProbeTemplate(us, null, TcpFlags.SYN).write(buf, 0, them, 40000, port, seq))
            val q = assertIs<ParsedReply.IcmpError>(ReplyParser.parseIp(Frames.icmpError(them, us, if (v6) 1 else 3, 1, syn), 0, (if (v6) 48 else 28) + syn.size)).quoted!!
            assertTrue(key.isValidQuotedProbe(q))
            assertFalse(key.isValidQuotedProbe(q.copy(tcpSequence = seq + 1)))
            assertFalse(key.isValidQuotedProbe(q.copy(sourcePort = 40001)))

            val id = key.icmpIdentity(us, them)
            val echoReply = buf.copyOf(IcmpEchoTemplate(them, null).write(buf, 0, us, id ushr 16, id and 0xffff))
            val icmp = assertIs<ParsedReply.Icmp>(ReplyParser.parseIp(echoReply, 0, echoReply.size))
            assertTrue(key.isValidIcmpReply(icmp))
            assertFalse(key.isValidIcmpReply(icmp.copy(sequence = icmp.sequence xor 1)))
            assertFalse(key.isValidIcmpReply(icmp.copy(source = Rand.address(r, v6))))
        }
        assertTrue(udpFalsePositives <= 10, "altered UDP replies accepted $udpFalsePositives times in 2000 (expected about 2)")
    }

    @Test
    fun `UDP source ports spread over the whole range`() {
        val us = IpAddress.parse("10.0.0.1"); val them = IpAddress.parse("10.0.0.2")
        val ports = (1..20_000).map { key.udpSourcePort(us, them, it, 50000, 100) }
        assertEquals((50000 until 50100).toSet(), ports.toSet())
        assertNotEquals(key.hash(us, them, 1, 2, 6), key.hash(us, them, 1, 2, 17), "protocols are separate domains")
        assertTrue(key.toString().contains("****"))
    }
}
