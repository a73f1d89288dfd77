package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.packet.FakePacketIo
import dev.kmap.packet.LinkType
import dev.kmap.packet.PacketIoCapabilities
import dev.kmap.packet.Route
import java.net.InetAddress
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Reply matching and nmap's verdicts of the UDP session, against a fake IPv4 network. */
class UdpSessionTest {
    private val us = IpAddress.parse("10.9.0.1")
    private val target = IpAddress.parse("10.9.0.2")
    private val router = IpAddress.parse("10.9.0.254")

    private fun u16(b: ByteArray, i: Int) = ((b[i].toInt() and 0xff) shl 8) or (b[i + 1].toInt() and 0xff)

    private fun ipv4(src: IpAddress, dst: IpAddress, protocol: Int, payload: ByteArray): ByteArray {
        val p = ByteArray(20 + payload.size)
        p[0] = 0x45
        p[2] = (p.size shr 8).toByte(); p[3] = p.size.toByte()
        p[8] = 64
        p[9] = protocol.toByte()
        src.toBytes().copyInto(p, 12)
        dst.toBytes().copyInto(p, 16)
        payload.copyInto(p, 20)
        return p
    }

    private fun udpReply(probe: ByteArray, sourcePortDelta: Int = 0): ByteArray {
        val udp = ByteArray(12)
        probe.copyInto(udp, 0, 22, 24) // their port
        val ours = u16(probe, 20) + sourcePortDelta
        udp[2] = (ours shr 8).toByte(); udp[3] = ours.toByte()
        udp[5] = 12
        return ipv4(target, us, 17, udp)
    }

    private fun icmpError(from: IpAddress, code: Int, probe: ByteArray): ByteArray {
        val icmp = ByteArray(8 + 28)
        icmp[0] = 3
        icmp[1] = code.toByte()
        probe.copyInto(icmp, 8, 0, 28)
        return ipv4(from, us, 1, icmp)
    }

    private val network: (ByteArray) -> List<ByteArray> = { probe ->
        when (u16(probe, 22)) {
            53 -> listOf(udpReply(probe))
            7 -> listOf(icmpError(target, 3, probe))
            8 -> listOf(icmpError(target, 13, probe))
            9 -> listOf(icmpError(router, 3, probe))
            10 -> listOf(udpReply(probe, sourcePortDelta = 1)) // not to the port the probe came from
            else -> emptyList()
        }
    }

    @Test
    fun `replies and ICMP errors become nmap's verdicts`() {
        val io = FakePacketIo(capabilities = PacketIoCapabilities(LinkType.RAW_IP, canInjectFrames = false, needsRawIpSocket = true), network = network)
        val session = UdpSession(routes = { d -> Route(d, "fake0", us, null, false, null) }, openIo = { io })
        val got = HashMap<Int, Verdict>()
        session.use { s ->
            for (port in listOf(53, 7, 8, 9, 10, 11)) {
                assertEquals(SendResult.SENT, s.send(Probe(InetAddress.getByAddress(target.toBytes()), port, 0, 0, port)))
            }
            val deadline = System.nanoTime() + 2_000_000_000L
            while (got.size < 4 && System.nanoTime() < deadline) s.poll(50_000_000) { p, v -> got[p.port] = v }
            s.poll(100_000_000) { p, v -> got[p.port] = v } // nothing more may come
        }
        assertEquals(
            mapOf(
                53 to Verdict(PortState.OPEN, "udp-response", hostResponded = true),
                7 to Verdict(PortState.CLOSED, "port-unreach", hostResponded = true),
                8 to Verdict(PortState.FILTERED, "admin-prohibited", hostResponded = false),
                9 to Verdict(PortState.FILTERED, "port-unreach", hostResponded = false),
            ),
            got,
        )
        val sent = io.sent.associateBy { u16(it, 22) }
        assertEquals(20 + 8 + UdpPayloads.forPort(53).size, sent.getValue(53).size, "DNS payload on 53")
        assertEquals(28, sent.getValue(7).size, "empty datagram elsewhere")
        val sourcePorts = sent.values.map { u16(it, 20) }
        val filter = io.filter!!
        val range = Regex("portrange (\\d+)-(\\d+)").find(filter)!!.groupValues.let { it[1].toInt()..it[2].toInt() }
        assertEquals(1024, range.count())
        assertTrue(sourcePorts.all { it in range }, "source ports $sourcePorts in $range")
    }
}
