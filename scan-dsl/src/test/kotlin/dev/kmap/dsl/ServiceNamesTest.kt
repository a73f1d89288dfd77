package dev.kmap.dsl

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

internal class ServiceNamesTest {
    @Test
    fun `well-known names`() {
        val tcp = mapOf(
            21 to "ftp", 22 to "ssh", 23 to "telnet", 25 to "smtp", 53 to "domain", 80 to "http",
            110 to "pop3", 139 to "netbios-ssn", 143 to "imap", 443 to "https", 445 to "microsoft-ds",
            3306 to "mysql", 3389 to "ms-wbt-server", 5432 to "postgresql", 6379 to "redis",
            8008 to "http", 8080 to "http-proxy", 6001 to "X11:1",
        )
        for ((port, name) in tcp) assertEquals(name, ServiceNames.name(Protocol.TCP, port), "$port/tcp")
        val udp = mapOf(53 to "domain", 67 to "dhcps", 123 to "ntp", 161 to "snmp", 162 to "snmptrap",
            500 to "isakmp", 631 to "ipp", 1900 to "upnp", 8008 to "http-alt")
        for ((port, name) in udp) assertEquals(name, ServiceNames.name(Protocol.UDP, port), "$port/udp")
    }

    @Test
    fun `no name for unknown, unlisted and impossible ports`() {
        assertNull(ServiceNames.name(Protocol.TCP, 4)) // listed as "unknown"
        assertNull(ServiceNames.name(Protocol.UDP, 4)) // not listed
        assertNull(ServiceNames.name(Protocol.UDP, 6379))
        assertNull(ServiceNames.name(Protocol.TCP, 0))
        assertNull(ServiceNames.name(Protocol.TCP, -1))
        assertNull(ServiceNames.name(Protocol.TCP, 65536))
    }

    @Test
    fun `every top-1000 port has a table entry`() {
        for (protocol in Protocol.entries) {
            val listed = ServiceNames.ports(protocol, "*")
            assertEquals(PortList.EMPTY, TopPorts.get(protocol, 1000) - listed, "$protocol")
        }
    }

    @Test
    fun `patterns are case-insensitive globs`() {
        assertEquals(PortList.of(22), ServiceNames.ports(Protocol.TCP, "ssh"))
        assertEquals(PortList.of(22), ServiceNames.ports(Protocol.TCP, "SSH"))
        assertEquals(PortList.of(80, 8008), ServiceNames.ports(Protocol.TCP, "http"))
        assertEquals(PortList.of(80), ServiceNames.ports(Protocol.UDP, "http"))
        assertEquals(PortList.of(22), ServiceNames.ports(Protocol.TCP, "?sh"))
        assertEquals(PortList.of(6001), ServiceNames.ports(Protocol.TCP, "x11:1"))
        assertEquals(ports("80,280,443,591,593,4180,8000,8008,8080,8443,8990-8991"), ServiceNames.ports(Protocol.TCP, "http*"))
        // nmap 7.93: -p '*sql*'
        assertEquals(ports("66,118,150,156,1112,1114,1186,1433-1434,1498,1862,1978-1979,2273,3306,3352,4333,4430," +
            "5432,5560,6446,9088-9089,9152,33060,38638"), ServiceNames.ports(Protocol.TCP, "*SQL*"))
        assertEquals(ports("66,118,150,156,1114,1186,1433-1434,1498,1862,1978-1979,2273,3306,3352,4430,5432," +
            "6446,9088-9089"), ServiceNames.ports(Protocol.UDP, "*sql*"))
        assertEquals(PortList.EMPTY, ServiceNames.ports(Protocol.TCP, "no-such-service"))
        assertEquals(PortList.EMPTY, ServiceNames.ports(Protocol.TCP, "?"))
        assertEquals(PortList.EMPTY, ServiceNames.ports(Protocol.TCP, ""))
    }

    @Test
    fun `unknown matches the listed ports without a name, as in nmap`() {
        val unknown = ServiceNames.ports(Protocol.TCP, "unknown")
        assertEquals(1912, unknown.size) // nmap 7.93: -p unknown selects 1912 tcp ports
        assertTrue(4 in unknown)
        assertTrue(unknown.all { ServiceNames.name(Protocol.TCP, it) == null })
    }

    @Test
    fun `globs against a brute-force model`() {
        val names = listOf("http", "https", "http-alt", "ssh", "x11:1", "", "a")
        val patterns = listOf("*", "?", "h*", "*s", "h?tp*", "**", "*t*t*", "x11:?", "?*?", "http")
        val model = mapOf(
            "*" to names, "?" to listOf("a"), "h*" to listOf("http", "https", "http-alt"),
            "*s" to listOf("https"), "h?tp*" to listOf("http", "https", "http-alt"), "**" to names,
            "*t*t*" to listOf("http", "https", "http-alt"), "x11:?" to listOf("x11:1"),
            "?*?" to listOf("http", "https", "http-alt", "ssh", "x11:1"), "http" to listOf("http"),
        )
        for (pattern in patterns) {
            assertEquals(model.getValue(pattern), names.filter { dev.kmap.dsl.internal.Glob.matches(pattern, it) }, pattern)
        }
    }
}
