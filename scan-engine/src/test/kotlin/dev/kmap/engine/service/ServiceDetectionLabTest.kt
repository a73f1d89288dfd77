package dev.kmap.engine.service

import dev.kmap.dsl.Protocol
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.scanFlow
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.LabService
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * -sV against the lab's real Debian daemons: product, and version wherever the protocol announces
 * one, equal to the installed package's upstream version (dpkg-query, via ServiceFacts).
 */
@RequiresLab(config = ServiceDetectionLabTest.Config::class)
class ServiceDetectionLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kva", hosts = 3, net4 = "10.250.0", net6 = "fd10:250::", anyIpPrefix = null,
            ports = HostPorts(tcp = emptySet(), udp = emptySet(), filteredTcp = emptySet(), filteredUdp = emptySet()),
            hostPorts = mapOf(3 to HostPorts(tcp = setOf(9000), udp = emptySet(), filteredTcp = emptySet(), filteredUdp = emptySet())),
            services = mapOf(
                1 to setOf(
                    LabService.NGINX, LabService.NGINX_ALT, LabService.SSH, LabService.FTP, LabService.SMTP, LabService.REDIS,
                    LabService.MARIADB, LabService.POSTGRESQL, LabService.MEMCACHED, LabService.DNS, LabService.MQTT, LabService.SNMP,
                ),
                2 to setOf(LabService.DNSMASQ),
            ),
        ).withSystemOverrides()
    }

    private val tcpPorts = "T:21,22,25,53,80,443,1883,3306,5432,6379,11211,18080,18443,9000,U:53,161"

    private fun run(lab: Lab): Pair<List<HostResult>, List<ScanEvent>> = runBlocking {
        val plan = scan {
            targets(lab.host(1).ipv4, lab.host(2).ipv4, lab.host(3).ipv4)
            ports(tcpPorts)
            connect(); udp()
            skipDiscovery()
            services {
                probe("kmap-lab") {
                    tcp(9000)
                    match("^lab ([\\d.]+) (\\d+)\r\n") { product = "kmap lab listener"; version = group(2); info = "on ${group(1)}" }
                }
            }
        }
        val events = scanFlow(plan, EngineConfig(progressIntervalMillis = 0)).toList()
        events.filterIsInstance<ScanEvent.HostFinished>().map { it.result }.sortedBy { it.host.address } to events
    }

    private fun HostResult.port(p: Int, proto: Protocol = Protocol.TCP): PortResult = ports.single { it.port == p && it.protocol == proto }

    private fun assertService(p: PortResult, name: String, product: String, version: String?) {
        val s = assertNotNull(p.serviceInfo, "port ${p.port}: no service info")
        assertEquals(name, s.name, "port ${p.port}/${p.protocol.label}: $s")
        assertEquals(product, s.product, "port ${p.port}/${p.protocol.label}: $s")
        assertEquals(version, s.version, "port ${p.port}/${p.protocol.label}: $s")
        assertEquals("probed", s.method)
        assertEquals(10, s.confidence)
        assertNotNull(s.probe)
        assertNotNull(s.waitedMillis)
    }

    @Test
    fun `every daemon's product and announced version equal the installed package's`(lab: Lab) {
        val (hosts, events) = run(lab)
        val f = lab.facts(1)
        val h1 = hosts.single { it.host.address.toString() == lab.host(1).ipv4 }
        val h2 = hosts.single { it.host.address.toString() == lab.host(2).ipv4 }
        val h3 = hosts.single { it.host.address.toString() == lab.host(3).ipv4 }
        assertService(h1.port(22), "ssh", "OpenSSH", f.upstream("ssh.package"))
        assertService(h1.port(21), "ftp", "vsftpd", f.ftp.version)
        assertService(h1.port(25), "smtp", "Exim smtpd", f.smtp.version)
        assertEquals("mail.kmap.lab", h1.port(25).serviceInfo?.hostname)
        assertService(h1.port(80), "http", "nginx", f.upstream("nginx.package"))
        assertService(h1.port(18080), "http", "nginx", f.upstream("nginx.package"))
        for (tls in listOf(443, 18443)) {
            assertService(h1.port(tls), "http", "nginx", f.upstream("nginx.package"))
            val s = h1.port(tls).serviceInfo!!
            assertEquals("ssl", s.tunnel)
            assertEquals(f.tls.subject, s.tls?.subject)
            assertEquals(f.tls.issuer, s.tls?.issuer)
            assertEquals(f.tls.sha256, s.tls?.sha256)
            assertEquals(f.tls.notAfter.toString(), s.tls?.notAfter)
            assertEquals(f.tls.sans, s.tls?.subjectAltNames)
            assertTrue(s.tls?.protocol in f.tls.protocols, "${s.tls}")
        }
        assertService(h1.port(6379), "redis", "Redis key-value store", f.upstream("redis.package"))
        assertService(h1.port(3306), "mysql", "MariaDB", f.upstream("mariadb.package"))
        assertService(h1.port(11211), "memcached", "Memcached", f.memcached.version)
        assertService(h1.port(1883), "mqtt", "Mosquitto", f.upstream("mosquitto.package"))
        assertService(h1.port(53), "domain", "NLnet Labs NSD", f.dns.version)
        assertService(h1.port(53, Protocol.UDP), "domain", "NLnet Labs NSD", f.dns.version)
        // net-snmp's version (UCD-SNMP-MIB versionTag), as `snmpd -v` says; the package is 5.9.3+dfsg-...
        assertService(h1.port(161, Protocol.UDP), "snmp", "net-snmp", f.snmp.version)
        assertTrue(f.upstream("snmp.package").startsWith(f.snmp.version), f["snmp.package"])
        // PostgreSQL gives an unauthenticated client no version under SCRAM (see docs/service-detection.md)
        assertService(h1.port(5432), "postgresql", "PostgreSQL DB", null)
        assertEquals("auth SCRAM-SHA-256", h1.port(5432).serviceInfo?.extraInfo)
        val d = lab.facts(2)
        assertService(h2.port(53), "domain", "dnsmasq", d.upstream("dnsmasq.package"))
        assertService(h2.port(53, Protocol.UDP), "domain", "dnsmasq", d.upstream("dnsmasq.package"))
        // a probe from the DSL against the lab's python listener
        assertService(h3.port(9000), "kmap-lab", "kmap lab listener", "9000")
        assertEquals("on ${lab.host(3).ipv4}", h3.port(9000).serviceInfo?.extraInfo)
        // each port streamed before its host finished
        val found = events.withIndex().filter { (_, e) -> e is ScanEvent.PortUpdated && e.result.serviceInfo != null && e.host.address == h1.host.address }
        val finished = events.indexOfFirst { it is ScanEvent.HostFinished && it.result.host.address == h1.host.address }
        assertTrue(found.size >= 15, "${found.size} PortUpdated events with a service for host 1")
        assertTrue(found.all { it.index < finished })
    }
}
