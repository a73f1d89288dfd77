package dev.kmap.report.format

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ServiceInfo
import kotlin.test.Test
import kotlin.test.assertEquals

/** Grepable lines beyond the golden files: separators inside fields, and one formatter writing many hosts. */
class GrepableFormatTest {
    private fun up(address: String, ports: List<PortResult>, reverseName: String? = null) =
        HostResult(Host(IpAddress.parse(address)), HostStatus.UP, "syn-ack", ports, reverseName = reverseName)

    private fun lines(format: GrepableFormat, vararg hosts: HostResult): List<String> {
        val out = StringBuilder()
        hosts.forEach { format.host(it, out) }
        return out.toString().lines().dropLast(1)
    }

    @Test
    fun `slashes, tabs and newlines in names and versions cannot split a field`() {
        val service = ServiceInfo("http", product = "Web/Server", version = "1.0\tbeta", tunnel = "ssl")
        val host = up("10.0.0.1", listOf(PortResult(443, Protocol.TCP, PortState.OPEN, "syn-ack", "https", serviceInfo = service)), "a/b\nc.example")
        assertEquals(
            listOf(
                "Host: 10.0.0.1 (a|b c.example)\tStatus: Up",
                "Host: 10.0.0.1 (a|b c.example)\tPorts: 443/open/tcp//ssl|http//Web|Server 1.0 beta/",
            ),
            lines(GrepableFormat(), host),
        )
    }

    @Test
    fun `each host's lines are its own, after a host with a line longer than the kept buffer`() {
        val many = (1..20_000).map { PortResult(it, Protocol.TCP, PortState.OPEN, "syn-ack") }
        val format = GrepableFormat()
        val out = lines(
            format,
            up("10.0.0.1", many),
            up("10.0.0.2", listOf(PortResult(80, Protocol.TCP, PortState.OPEN, "syn-ack", "http"))),
            HostResult(Host(IpAddress.parse("10.0.0.3")), HostStatus.DOWN, "no-response"),
            up("10.0.0.4", listOf(PortResult(22, Protocol.TCP, PortState.CLOSED, "reset", "ssh"))),
        )
        assertEquals(6, out.size)
        assertEquals("Host: 10.0.0.1 ()\tStatus: Up", out[0])
        assertEquals(many.size, out[1].split(", ").size)
        assertEquals("Host: 10.0.0.1 ()\tPorts: 1/open/tcp//unknown///", out[1].substringBefore(", "))
        assertEquals("20000/open/tcp//unknown///", out[1].substringAfterLast(", "))
        assertEquals(
            listOf(
                "Host: 10.0.0.2 ()\tStatus: Up",
                "Host: 10.0.0.2 ()\tPorts: 80/open/tcp//http///",
                "Host: 10.0.0.4 ()\tStatus: Up",
                "Host: 10.0.0.4 ()\tPorts: 22/closed/tcp//ssh///",
            ),
            out.drop(2),
        )
    }
}
