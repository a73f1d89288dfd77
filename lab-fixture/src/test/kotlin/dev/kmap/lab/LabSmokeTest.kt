package dev.kmap.lab

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.ConnectException
import java.net.DatagramPacket
import java.net.DatagramSocket
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket
import java.net.SocketTimeoutException
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The default lab (prefix kml), probed with plain java.net sockets from the root netns. */
@RequiresLab
class LabSmokeTest {

    private fun readBanner(address: InetAddress, port: Int): String =
        Socket().use { s ->
            s.connect(InetSocketAddress(address, port), 1500)
            s.soTimeout = 1500
            s.getInputStream().bufferedReader().readLine()
        }

    @Test
    fun `an open port sends its banner`(lab: Lab) {
        for (host in lab.hosts) {
            for (port in host.openTcpPorts) {
                assertEquals("lab ${host.ipv4} $port", readBanner(host.inet4, port))
            }
        }
    }

    @Test
    fun `a closed port refuses the connection`(lab: Lab) {
        val host = lab.host(1)
        assertEquals(PortState.CLOSED, host.tcpState(81))
        assertThrows<ConnectException> { Socket().use { it.connect(InetSocketAddress(host.inet4, 81), 1500) } }
    }

    @Test
    fun `a filtered port times out`(lab: Lab) {
        val host = lab.host(2)
        val port = host.filteredTcpPorts.first()
        assertEquals(PortState.FILTERED, host.tcpState(port))
        val start = System.nanoTime()
        assertThrows<SocketTimeoutException> { Socket().use { it.connect(InetSocketAddress(host.inet4, port), 1500) } }
        val ms = (System.nanoTime() - start) / 1_000_000
        assertTrue(ms in 1400..5000, "timed out after $ms ms")
    }

    @Test
    fun `an AnyIP address answers with its own banner`(lab: Lab) {
        assertEquals("10.202.0.0/16", lab.anyIpPrefix)
        val a = lab.anyIpAddress(77L * 256 + 9)
        assertEquals("10.202.77.9", a.hostAddress)
        assertEquals("lab 10.202.77.9 80", readBanner(a, 80))
        assertEquals("lab 10.202.255.254 443", readBanner(lab.anyIpAddress(65534), 443))
    }

    @Test
    fun `the IPv6 address of a host answers`(lab: Lab) {
        val host = lab.host(2)
        assertEquals("fd10:201::12", host.ipv6)
        assertEquals("lab fd10:201::12 22", readBanner(host.inet6, 22))
        assertEquals(host.banner(22, v6 = true), readBanner(host.inet6, 22))
    }

    @Test
    fun `UDP ports echo, also from AnyIP addresses and over IPv6`(lab: Lab) {
        val host = lab.host(1)
        val targets = listOf(host.inet4, host.inet6, lab.anyIpAddress(77L * 256 + 9))
        for (target in targets) {
            DatagramSocket().use { s ->
                s.soTimeout = 1500
                s.connect(InetSocketAddress(target, 53)) // only datagrams from target:53 are accepted
                val msg = "ping $target".toByteArray()
                s.send(DatagramPacket(msg, msg.size))
                val buf = ByteArray(1500)
                val reply = DatagramPacket(buf, buf.size)
                s.receive(reply)
                assertEquals("ping $target", String(buf, 0, reply.length))
            }
        }
    }

    @Test
    fun `many connections in a row are all answered`(lab: Lab) {
        val host = lab.host(1)
        repeat(500) { i ->
            val port = if (i % 2 == 0) 80 else 443
            assertEquals("lab ${host.ipv4} $port", readBanner(host.inet4, port))
        }
    }
}
