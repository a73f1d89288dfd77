package dev.kmap.lab

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.Properties
import kotlin.test.assertEquals
import kotlin.test.assertNull

/** Configuration, host model and script environment; no lab needed. */
class LabConfigTest {

    @Test
    fun `defaults do not collide with the shared lab`() {
        val c = LabConfig.DEFAULT
        assertEquals("kml", c.prefix)
        assertEquals("10.201.0", c.net4)
        assertEquals("fd10:201::", c.net6)
        assertEquals("10.202.0.0/16", c.anyIpPrefix)
    }

    @Test
    fun `hosts, addresses and expected port states`() {
        val lab = Lab(LabConfig(hosts = 3, hostPorts = mapOf(2 to HostPorts(tcp = setOf(8080, 9000), filteredTcp = setOf(9000)))))
        assertEquals(listOf("kml-target1", "kml-target2", "kml-target3"), lab.hosts.map { it.name })
        assertEquals(listOf("10.201.0.11", "10.201.0.12", "10.201.0.13"), lab.hosts.map { it.ipv4 })
        assertEquals("fd10:201::13", lab.host(3).ipv6)
        assertEquals("fd10:201:0:0:0:0:0:13", lab.host(3).inet6.hostAddress)
        assertEquals("02:6b:6d:00:02:03", lab.host(3).mac)
        assertEquals("kml-br0", lab.bridge)
        assertEquals("10.201.0.1", lab.scannerIpv4)
        assertEquals("fd10:201::1", lab.scannerIpv6)
        val h1 = lab.host(1)
        assertEquals(setOf(22, 80, 443, 8080), h1.openTcpPorts)
        assertEquals(PortState.OPEN, h1.tcpState(22))
        assertEquals(PortState.CLOSED, h1.tcpState(23))
        assertEquals(PortState.FILTERED, h1.tcpState(8081))
        assertEquals(PortState.OPEN, h1.udpState(53))
        assertEquals(PortState.FILTERED, h1.udpState(162))
        assertEquals(PortState.CLOSED, h1.udpState(54))
        val h2 = lab.host(2)
        assertEquals(setOf(8080), h2.openTcpPorts)
        assertEquals(PortState.FILTERED, h2.tcpState(9000))
        assertEquals(PortState.CLOSED, h2.tcpState(22))
        assertEquals("lab 10.201.0.12 8080", h2.banner(8080))
        assertEquals("lab fd10:201::12 8080", h2.banner(8080, v6 = true))
    }

    @Test
    fun `AnyIP addresses`() {
        val lab = Lab()
        assertEquals(65536L, lab.anyIpSize)
        assertEquals("10.202.77.9", lab.anyIpAddress(77L * 256 + 9).hostAddress)
        assertEquals("10.202.255.255", lab.anyIpAddress(65535).hostAddress)
        assertEquals("kml-target1", lab.anyIpHost?.name)
        assertThrows<IllegalArgumentException> { lab.anyIpAddress(65536) }
        val none = Lab(LabConfig(anyIpPrefix = null))
        assertNull(none.anyIpHost)
        assertEquals(0L, none.anyIpSize)
    }

    @Test
    fun `unsafe or malformed configurations are rejected`() {
        assertThrows<IllegalArgumentException> { LabConfig(net4 = "8.8.8") }
        assertThrows<IllegalArgumentException> { LabConfig(net4 = "10.201") }
        assertThrows<IllegalArgumentException> { LabConfig(net6 = "2001:db8::") }
        assertThrows<IllegalArgumentException> { LabConfig(net6 = "fd10:201::1") }
        assertThrows<IllegalArgumentException> { LabConfig(anyIpPrefix = "8.8.0.0/16") }
        assertThrows<IllegalArgumentException> { LabConfig(anyIpPrefix = "10.0.0.0/8") }
        assertThrows<IllegalArgumentException> { LabConfig(anyIpPrefix = "10.202.0.1/16") }
        assertThrows<IllegalArgumentException> { LabConfig(anyIpPrefix = "10.201.0.0/16") } // covers net4
        assertThrows<IllegalArgumentException> { LabConfig(prefix = "toolongprefix") }
        assertThrows<IllegalArgumentException> { LabConfig(prefix = "Lab") }
        assertThrows<IllegalArgumentException> { LabConfig(hosts = 0) }
        assertThrows<IllegalArgumentException> { LabConfig(hosts = 2, hostPorts = mapOf(3 to HostPorts())) }
        assertThrows<IllegalArgumentException> { HostPorts(tcp = setOf(0)) }
        assertThrows<IllegalArgumentException> { LabConfig(dropRstSourcePorts = 0..10) }
    }

    @Test
    fun `the script environment describes the configuration`() {
        val env = LabConfig(
            prefix = "kmx", hosts = 2, net4 = "192.168.77", net6 = "FD00:77::", anyIpPrefix = null,
            ports = HostPorts(tcp = setOf(443, 80), udp = setOf(53), filteredTcp = emptySet(), filteredUdp = emptySet()),
            hostPorts = mapOf(2 to HostPorts(tcp = emptySet(), udp = setOf(7), filteredTcp = setOf(1), filteredUdp = setOf(2))),
            liftIcmpRateLimit = true, offload = false, dropRstSourcePorts = 40000..40999,
        ).toEnv()
        assertEquals("kmx", env["KMAP_LAB_PREFIX"])
        assertEquals("2", env["KMAP_LAB_HOSTS"])
        assertEquals("192.168.77", env["KMAP_LAB_NET4"])
        assertEquals("fd00:77::", env["KMAP_LAB_NET6"])
        assertEquals("80 443", env["KMAP_LAB_TCP_PORTS"])
        assertEquals("53", env["KMAP_LAB_UDP_PORTS"])
        assertEquals("", env["KMAP_LAB_FILTERED_TCP_PORTS"])
        assertEquals("", env["KMAP_LAB_ANYIP"])
        assertEquals("0", env["KMAP_LAB_ICMP_RATELIMIT"])
        assertEquals("off", env["KMAP_LAB_OFFLOAD"])
        assertEquals("40000:40999", env["KMAP_LAB_DROP_RST_SPORTS"])
        assertEquals("", env["KMAP_LAB_TCP_PORTS_2"])
        assertEquals("7", env["KMAP_LAB_UDP_PORTS_2"])
        assertEquals("1", env["KMAP_LAB_FILTERED_TCP_PORTS_2"])
        assertEquals("2", env["KMAP_LAB_FILTERED_UDP_PORTS_2"])
        assertNull(env["KMAP_LAB_TCP_PORTS_1"])
    }

    @Test
    fun `system property overrides`() {
        val p = Properties()
        assertEquals(LabConfig.DEFAULT, LabConfig.DEFAULT.withSystemOverrides(p))
        p["kmap.lab.prefix"] = "kmq"
        p["kmap.lab.net4"] = "10.211.0"
        p["kmap.lab.net6"] = "fd10:211::"
        p["kmap.lab.anyIpPrefix"] = ""
        p["kmap.lab.hosts"] = "5"
        val c = LabConfig.DEFAULT.withSystemOverrides(p)
        assertEquals(LabConfig(prefix = "kmq", net4 = "10.211.0", net6 = "fd10:211::", anyIpPrefix = null, hosts = 5), c)
        p["kmap.lab.anyIpPrefix"] = "10.212.0.0/16"
        assertEquals("10.212.0.0/16", LabConfig.DEFAULT.withSystemOverrides(p).anyIpPrefix)
    }

    @Test
    fun `services per host take their ports from the listener`() {
        val c = LabConfig(prefix = "kmsv", hosts = 2, net4 = "10.218.0", net6 = "fd10:218::", anyIpPrefix = null,
            services = mapOf(2 to setOf(LabService.SNMP, LabService.NGINX, LabService.DNS)))
        val env = c.toEnv()
        assertEquals("nginx nsd snmpd", env["KMAP_LAB_SERVICES_2"])
        assertNull(env["KMAP_LAB_SERVICES_1"])
        val h2 = Lab(c).host(2)
        assertEquals(setOf(22, 8080), h2.ports.tcp)
        assertEquals(emptySet(), h2.ports.udp)
        assertEquals(setOf(22, 53, 80, 443, 8080), h2.openTcpPorts)
        assertEquals(setOf(53, 161), h2.openUdpPorts)
        assertEquals(PortState.OPEN, h2.tcpState(443))
        assertEquals(PortState.OPEN, h2.udpState(161))
        assertEquals(setOf(22, 80, 443, 8080), Lab(c).host(1).openTcpPorts)
        val e = assertThrows<IllegalArgumentException> { c.copy(services = mapOf(3 to setOf(LabService.SSH))) }
        assertEquals("services keys must be host indexes 1..2: [3]", e.message)
        assertEquals(LabService.DNS, LabService.byScriptName("nsd"))
        assertEquals(null, LabService.byScriptName("bind9"))
    }
}
