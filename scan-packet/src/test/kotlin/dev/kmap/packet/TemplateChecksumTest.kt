package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.Independent.u16
import dev.kmap.packet.Independent.verifies
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * Property test: every template, for random addresses, ports, sequence numbers and ids, IPv4 and
 * IPv6, Ethernet and bare IP, writes packets whose every field is where it belongs and whose
 * checksums verify under [Independent]'s checksum routine (not the production one).
 */
class TemplateChecksumTest {
    private val rounds = 5_000

    /** The IP packet at [ip] of [frame]: checks the IP header and returns the transport part. */
    private fun checkIp(frame: ByteArray, ip: Int, v6: Boolean, src: IpAddress, dst: IpAddress, protocol: Int, ttl: Int, ipId: Int?): ByteArray {
        if (v6) {
            assertEquals(6, (frame[ip].toInt() and 0xff) ushr 4)
            assertEquals(frame.size - ip - 40, u16(frame, ip + 4), "payload length")
            assertEquals(protocol, frame[ip + 6].toInt() and 0xff)
            assertEquals(ttl, frame[ip + 7].toInt() and 0xff)
            assertContentEquals(src.toBytes(), frame.copyOfRange(ip + 8, ip + 24))
            assertContentEquals(dst.toBytes(), frame.copyOfRange(ip + 24, ip + 40))
            return frame.copyOfRange(ip + 40, frame.size)
        }
        assertEquals(0x45, frame[ip].toInt() and 0xff)
        assertEquals(frame.size - ip, u16(frame, ip + 2), "total length")
        if (ipId != null) assertEquals(ipId and 0xffff, u16(frame, ip + 4))
        assertEquals(ttl, frame[ip + 8].toInt() and 0xff)
        assertEquals(protocol, frame[ip + 9].toInt() and 0xff)
        assertContentEquals(src.toBytes(), frame.copyOfRange(ip + 12, ip + 16))
        assertContentEquals(dst.toBytes(), frame.copyOfRange(ip + 16, ip + 20))
        assertTrue(verifies(frame.copyOfRange(ip, ip + 20)), "IPv4 header checksum")
        return frame.copyOfRange(ip + 20, frame.size)
    }

    private fun checkEthernet(frame: ByteArray, eth: EthernetAddresses?, override: MacAddress?, v6: Boolean): Int {
        if (eth == null) return 0
        assertContentEquals((override ?: eth.destination).toBytes(), frame.copyOfRange(0, 6))
        assertContentEquals(eth.source.toBytes(), frame.copyOfRange(6, 12))
        assertEquals(if (v6) 0x86dd else 0x0800, u16(frame, 12))
        return 14
    }

    private fun pseudoVerifies(src: IpAddress, dst: IpAddress, protocol: Int, segment: ByteArray) =
        verifies(Independent.pseudoHeader(src.toBytes(), dst.toBytes(), protocol, segment.size) + segment)

    @Test
    fun `TCP probes of every scan type carry valid checksums`() {
        val r = Random(4_001)
        val flagSets = listOf(TcpFlags.SYN_SCAN, TcpFlags.FIN_SCAN, TcpFlags.NULL_SCAN, TcpFlags.XMAS_SCAN, TcpFlags.ACK_SCAN, TcpFlags.WINDOW_SCAN, TcpFlags.MAIMON_SCAN)
        repeat(rounds) {
            val v6 = r.nextBoolean()
            val src = Rand.address(r, v6)
            val dst = Rand.address(r, v6)
            val eth = if (r.nextBoolean()) EthernetAddresses(Rand.mac(r), Rand.mac(r)) else null
            val flags = flagSets[r.nextInt(flagSets.size)]
            val window = r.nextInt(65536)
            val ttl = r.nextInt(1, 256)
            val t = TcpProbeTemplate(src, eth, flags, window, ttl = ttl)
            val sport = r.nextInt(65536)
            val dport = r.nextInt(65536)
            val seq = r.nextInt()
            val ack = r.nextInt()
            val id = r.nextInt(65536)
            val mac = if (eth != null && r.nextBoolean()) Rand.mac(r) else null
            val off = r.nextInt(0, 8)
            val buf = ByteArray(off + t.length + r.nextInt(0, 8))
            r.nextBytes(buf) // garbage everywhere: the template must overwrite all of its bytes
            assertEquals(t.length, t.write(buf, off, dst, sport, dport, seq, ack, id, mac))
            val frame = buf.copyOfRange(off, off + t.length)
            val ip = checkEthernet(frame, eth, mac, v6)
            val tcp = checkIp(frame, ip, v6, src, dst, 6, ttl, id)
            assertEquals(sport, u16(tcp, 0)); assertEquals(dport, u16(tcp, 2))
            assertEquals(seq, (u16(tcp, 4) shl 16) or u16(tcp, 6)); assertEquals(ack, (u16(tcp, 8) shl 16) or u16(tcp, 10))
            assertEquals(tcp.size, ((tcp[12].toInt() and 0xff) ushr 4) * 4, "data offset covers the options")
            assertEquals(flags, tcp[13].toInt() and 0xff)
            assertEquals(window, u16(tcp, 14))
            assertEquals(if (flags and TcpFlags.SYN != 0) 24 else 20, tcp.size)
            assertTrue(pseudoVerifies(src, dst, 6, tcp), "TCP checksum of $t to $dst")
        }
    }

    @Test
    fun `UDP probes with payloads of odd and even length carry valid checksums, never zero`() {
        val r = Random(4_002)
        repeat(rounds) {
            val v6 = r.nextBoolean()
            val src = Rand.address(r, v6)
            val dst = Rand.address(r, v6)
            val eth = if (r.nextBoolean()) EthernetAddresses(Rand.mac(r), Rand.mac(r)) else null
            val payload = r.nextBytes(r.nextInt(0, 64))
            val t = UdpProbeTemplate(src, eth, payload)
            val sport = r.nextInt(65536)
            val dport = r.nextInt(65536)
            val id = r.nextInt()
            val buf = r.nextBytes(t.length)
            t.write(buf, 0, dst, sport, dport, id)
            val ip = checkEthernet(buf, eth, null, v6)
            val udp = checkIp(buf, ip, v6, src, dst, 17, 64, id)
            assertEquals(sport, u16(udp, 0)); assertEquals(dport, u16(udp, 2))
            assertEquals(8 + payload.size, u16(udp, 4))
            assertContentEquals(payload, udp.copyOfRange(8, udp.size))
            assertTrue(u16(udp, 6) != 0, "UDP checksum 0 means none")
            assertTrue(pseudoVerifies(src, dst, 17, udp), "UDP checksum")
        }
    }

    @Test
    fun `ICMP and ICMPv6 echo and ICMP timestamp requests carry valid checksums`() {
        val r = Random(4_003)
        repeat(rounds) {
            val v6 = r.nextBoolean()
            val src = Rand.address(r, v6)
            val dst = Rand.address(r, v6)
            val eth = if (r.nextBoolean()) EthernetAddresses(Rand.mac(r), Rand.mac(r)) else null
            val payload = r.nextBytes(r.nextInt(0, 40))
            val id = r.nextInt(65536)
            val seq = r.nextInt(65536)
            val echo = IcmpEchoTemplate(src, eth, payload)
            val buf = r.nextBytes(echo.length)
            echo.write(buf, 0, dst, id, seq, ipId = 77)
            val icmp = checkIp(buf, checkEthernet(buf, eth, null, v6), v6, src, dst, if (v6) 58 else 1, 64, 77)
            assertEquals(if (v6) 128 else 8, icmp[0].toInt() and 0xff)
            assertEquals(id, u16(icmp, 4)); assertEquals(seq, u16(icmp, 6))
            assertContentEquals(payload, icmp.copyOfRange(8, icmp.size))
            assertTrue(if (v6) pseudoVerifies(src, dst, 58, icmp) else verifies(icmp), "ICMP echo checksum")
            if (!v6) {
                val ts = IcmpTimestampTemplate(src, eth)
                val b2 = r.nextBytes(ts.length)
                ts.write(b2, 0, dst, id, seq)
                val m = checkIp(b2, checkEthernet(b2, eth, null, false), false, src, dst, 1, 64, 0)
                assertEquals(20, m.size)
                assertEquals(13, m[0].toInt())
                assertEquals(id, u16(m, 4)); assertEquals(seq, u16(m, 6))
                assertTrue(verifies(m), "ICMP timestamp checksum")
            }
        }
    }

    @Test
    fun `neighbour solicitations go to the solicited-node group with valid checksums`() {
        val r = Random(4_004)
        repeat(rounds) {
            val src = Rand.v6(r)
            val target = Rand.v6(r)
            val mac = Rand.mac(r)
            val t = NeighbourSolicitationTemplate(mac, src)
            val buf = r.nextBytes(t.length)
            t.write(buf, 0, target)
            val tb = target.toBytes()
            val group = IpAddress.ofBytes(byteArrayOf(0xff.toByte(), 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff.toByte(), tb[13], tb[14], tb[15]))
            assertContentEquals(byteArrayOf(0x33, 0x33, 0xff.toByte(), tb[13], tb[14], tb[15]), buf.copyOfRange(0, 6))
            assertContentEquals(mac.toBytes(), buf.copyOfRange(6, 12))
            val icmp = checkIp(buf, 14, true, src, group, 58, 255, null)
            assertEquals(135, icmp[0].toInt() and 0xff)
            assertContentEquals(tb, icmp.copyOfRange(8, 24))
            assertContentEquals(byteArrayOf(1, 1) + mac.toBytes(), icmp.copyOfRange(24, 32))
            assertTrue(pseudoVerifies(src, group, 58, icmp), "ICMPv6 checksum")
        }
    }

    @Test
    fun `ARP requests ask for the target from the sender`() {
        val r = Random(4_005)
        repeat(1_000) {
            val mac = Rand.mac(r)
            val src = Rand.v4(r)
            val target = Rand.v4(r)
            val buf = r.nextBytes(60)
            assertEquals(60, ArpRequestTemplate(mac, src).write(buf, 0, target))
            val expected = MacAddress.BROADCAST.toBytes() + mac.toBytes() + byteArrayOf(8, 6, 0, 1, 8, 0, 6, 4, 0, 1) +
                mac.toBytes() + src.toBytes() + ByteArray(6) + target.toBytes() + ByteArray(18)
            assertContentEquals(expected, buf)
        }
    }

    @Test
    fun `templates refuse a destination of the other family and a short buffer`() {
        val t = TcpProbeTemplate(IpAddress.parse("10.0.0.1"), null, TcpFlags.SYN)
        assertFailsWith<IllegalArgumentException> { t.write(ByteArray(100), 0, IpAddress.parse("fd00::1"), 1, 2, 3) }
        assertFailsWith<IllegalArgumentException> { t.write(ByteArray(t.length - 1), 0, IpAddress.parse("10.0.0.2"), 1, 2, 3) }
        assertFailsWith<IllegalArgumentException> { IcmpTimestampTemplate(IpAddress.parse("fd00::1"), null) }
        assertFailsWith<IllegalArgumentException> { TcpProbeTemplate(IpAddress.parse("10.0.0.1"), null, TcpFlags.SYN, options = ByteArray(3)) }
    }
}
