package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.runBlocking
import java.net.DatagramPacket
import java.net.DatagramSocket
import java.net.InetAddress
import java.net.InetSocketAddress
import kotlin.concurrent.thread
import kotlin.test.Test
import kotlin.test.assertEquals

/**
 * The UDP scan against real Linux UDP stacks in the lab, IPv4 and IPv6: the lab hosts echo
 * datagrams on 53 and 161 (open), drop 162 (open|filtered) and answer ICMP port unreachable on
 * the rest (closed; the lab lifts the targets' ICMP rate limits).
 */
@RequiresLab(config = UdpScanLabTest.Config::class)
class UdpScanLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmv",
            hosts = 2,
            net4 = "10.215.0",
            net6 = "fd10:215::",
            anyIpPrefix = null,
            liftIcmpRateLimit = true,
        ).withSystemOverrides()
    }

    private val config = EngineConfig(progressIntervalMillis = 0)
    private val portList = (listOf(7, 9, 53, 161, 162) + (1000..1010)).sorted()

    private fun scanUdp(address: String, portSpec: String): HostResult = runBlocking {
        val report = scan(scan { targets(address); ports(portSpec); udp(); skipDiscovery(); timing(T4) { maxRetries = 1 }; dns(DnsResolution.NEVER) }, config)
        report.hosts.single()
    }

    private fun expected(): Map<Int, PortState> = portList.associateWith {
        when (it) {
            53, 161 -> PortState.OPEN
            162 -> PortState.OPEN_FILTERED
            else -> PortState.CLOSED
        }
    }

    @Test
    fun `UDP scan finds open, closed and open-filtered ports over IPv4 and IPv6`(lab: Lab) {
        for (address in listOf(lab.host(1).ipv4, lab.host(1).ipv6)) {
            val result = scanUdp(address, "U:53,161,162,7,9,1000-1010")
            assertEquals(portList, result.ports.map { it.port }, "every port of $address reported once")
            assertEquals(expected(), result.ports.associate { it.port to it.state }, "-sU $address")
            val reasons = result.ports.associate { it.port to it.reason }
            assertEquals("udp-response", reasons[53], "$address")
            assertEquals("port-unreach", reasons[7], "$address")
            assertEquals("no-response", reasons[162], "$address")
            assertEquals(HostStatus.UP, result.status)
        }
    }

    @Test
    fun `UDP ping finds hosts up by an echo or a port unreachable`(lab: Lab) {
        val hosts = listOf(lab.host(1).ipv4, lab.host(2).ipv6, "10.215.0.99")
        fun ping(port: Int) = runBlocking {
            scan(scan { targets(*hosts.toTypedArray()); pingOnly(); discovery { udp(port) }; timing(T4); dns(DnsResolution.NEVER) }, config)
                .hosts.associate { it.host.address.toString() to (it.status to it.reason) }
        }
        val echoed = ping(53)
        assertEquals(HostStatus.UP to "udp-response", echoed.getValue(lab.host(1).ipv4))
        assertEquals(HostStatus.UP to "udp-response", echoed.getValue(lab.host(2).ipv6))
        assertEquals(HostStatus.DOWN, echoed.getValue("10.215.0.99").first)
        assertEquals(HostStatus.UP to "port-unreach", ping(40125).getValue(lab.host(1).ipv4))
    }

    @Test
    fun `UDP scan of loopback`() {
        val loopback = InetAddress.getByName("127.0.0.1")
        DatagramSocket(InetSocketAddress(loopback, 0)).use { echo ->
            val free = DatagramSocket(InetSocketAddress(loopback, 0)).use { it.localPort }
            val server = thread(isDaemon = true, name = "udp-echo") {
                val buf = ByteArray(2048)
                runCatching {
                    while (true) {
                        val p = DatagramPacket(buf, buf.size)
                        echo.receive(p)
                        echo.send(DatagramPacket(p.data, p.length, p.socketAddress))
                    }
                }
            }
            val result = scanUdp("127.0.0.1", "U:${echo.localPort},$free")
            assertEquals(
                mapOf(echo.localPort to PortState.OPEN, free to PortState.CLOSED).toSortedMap(),
                result.ports.associate { it.port to it.state }.toSortedMap(),
            )
            echo.close()
            server.join(1_000)
        }
    }
}
