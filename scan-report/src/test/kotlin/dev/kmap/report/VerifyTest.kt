package dev.kmap.report

import dev.kmap.dsl.AllowedService
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.expectations
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanReport
import dev.kmap.kmap
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import java.time.Duration
import java.time.Instant
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Expectations checked against real loopback listeners (and a real TLS server). */
class VerifyTest {
    private fun listener() = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    private fun freePort() = listener().use { it.localPort }

    private fun scanPorts(vararg ports: Int): ScanReport = runBlocking {
        kmap.scan(EngineConfig(progressIntervalMillis = 0)) {
            targets("127.0.0.1"); ports(ports.joinToString(",")); connect(); skipDiscovery(); dns(DnsResolution.NEVER)
        }
    }

    @Test
    fun `open, closed and nothing-else-open against loopback listeners`() {
        listener().use { a -> listener().use { b ->
            val free = freePort()
            val unscanned = freePort()
            val report = scanPorts(a.localPort, b.localPort, free)
            val policy = expectations {
                open(a.localPort)
                open(free)
                open(unscanned)
                closed(b.localPort)
                closed(free)
                open(b.localPort) from "10.0.0.0/8" // not for 127.0.0.1
                nothingElseOpen()
            }
            assertEquals(
                listOf(
                    "127.0.0.1 port $free/tcp: expected open (open $free/tcp), found closed",
                    "127.0.0.1 port $unscanned/tcp: expected open (open $unscanned/tcp), found not scanned",
                    "127.0.0.1 port ${b.localPort}/tcp: expected not open (closed ${b.localPort}/tcp), found open",
                    "127.0.0.1 port ${b.localPort}/tcp: expected not open (nothing-else-open), found open",
                ),
                verify(report, policy, tls = { _, _, _ -> error("no TLS rule") }).map { it.message },
            )
            val ok = expectations { open(a.localPort); open(b.localPort); closed(free); nothingElseOpen() }
            assertEquals(emptyList(), verify(report, ok))
        } }
    }

    @Test
    fun `services, with version patterns failing closed without service detection`() {
        listener().use { a ->
            val report = scanPorts(a.localPort)
            val service = report.hosts.single().ports.single().service ?: "unknown"
            val v = verify(report, expectations { services("ssh", "https") })
            assertEquals(listOf(Violation("127.0.0.1", a.localPort, Protocol.TCP, "one of ssh, https", service, "services ssh https")), v)
            assertEquals(emptyList(), verify(report, expectations { services("ssh", service) }))
            val versioned = verify(report, expectations { services(listOf(AllowedService(service, "1.*"))) })
            assertEquals(
                listOf("127.0.0.1 port ${a.localPort}/tcp: expected one of $service@1.* (services $service@1.*), found $service (version unknown: run with service detection, -sV)"),
                versioned.map { it.message },
            )
        }
    }

    @Test
    fun `tls-valid-for reads the certificate through a real handshake`() {
        TestTlsServer(validityDays = 10).use { tls -> listener().use { plain ->
            val report = scanPorts(tls.port, plain.localPort)
            val now = Instant.now()
            assertEquals(emptyList(), verify(report, expectations { tlsCertificateValidFor(days = 5, ports = listOf(tls.port), allowSelfSigned = true) }, now = now))
            val v = verify(report, expectations { tlsCertificateValidFor(days = 30, ports = listOf(tls.port, plain.localPort), allowSelfSigned = true) }, now = now, tlsTimeoutMillis = 1000)
            assertEquals(listOf(tls.port, plain.localPort).sorted(), v.map { it.port }, "violations are in port order")
            val notAfter = TlsCertificateReader.HANDSHAKE.notAfter(IpAddress.parse("127.0.0.1"), tls.port, 3000)
            assertTrue(Duration.between(now, notAfter).toDays() in 9..10, "notAfter $notAfter")
            val day = notAfter.toString().substring(0, 10)
            assertEquals(
                "127.0.0.1 port ${tls.port}/tcp: expected a TLS certificate valid for 30 more days (tls-valid-for 30 on ${tls.port},${plain.localPort} allow-self-signed), " +
                    "found a certificate that expires on $day (in ${Duration.between(now, notAfter).toDays()} days)",
                v.single { it.port == tls.port }.message,
            )
            val plainFound = v.single { it.port == plain.localPort }.found
            assertTrue(plainFound.startsWith("no TLS handshake ("), plainFound)
        } }
    }

    @Test
    fun `tls-valid-for checks the chain, the host name and the dates by default`() {
        TestCa().use { ca ->
            val servers = listOf(
                TestTlsServer(validityDays = 60),                                 // self-signed, for 127.0.0.1
                TestTlsServer(validityDays = 60, san = "dns:other.example"),      // self-signed, another host's
                TestTlsServer(validityDays = 60, startDate = "+3d"),              // self-signed, not valid yet
                TestTlsServer(validityDays = 60, ca = ca),                         // signed by a CA the system does not know
            )
            try {
                val (self, other, later, signed) = servers.map { it.port }
                val report = scanPorts(*servers.map { it.port }.toIntArray())
                val now = Instant.now()
                fun found(vararg rule: String) = verify(report, Expectations.parse(rule.joinToString("\n")), now = now, tlsTimeoutMillis = 3000).associate { it.port to it.found }
                val strict = found("tls-valid-for 30 on $self,$other,$later,$signed")
                assertEquals("a self-signed certificate (not trusted; allow-self-signed accepts it)", strict[self])
                assertEquals("a self-signed certificate (not trusted; allow-self-signed accepts it)", strict[other])
                assertTrue(strict[later]!!.startsWith("a certificate not valid before "), strict[later])
                assertTrue(strict[signed]!!.startsWith("a certificate that is not trusted (PKIX path building failed"), strict[signed])
                val relaxed = found("tls-valid-for 30 on $self,$other,$later allow-self-signed")
                assertEquals(null, relaxed[self])
                assertTrue(relaxed[other]!!.startsWith("a certificate for other.example, not for this host ("), relaxed[other])
                assertTrue(relaxed[later]!!.startsWith("a certificate not valid before "), relaxed[later])
                // the CA's certificate as the trust file
                assertEquals(emptyMap(), found("tls-valid-for 30 on $signed trust ${ca.pem.path}"))
                assertEquals("a self-signed certificate (not trusted; allow-self-signed accepts it)", found("tls-valid-for 30 on $self trust ${ca.pem.path}")[self])
            } finally {
                servers.forEach { it.close() }
            }
        }
    }

    @Test
    fun `the baseline round-trips and no-change reports ports opened and closed since`() {
        listener().use { a -> listener().use { b ->
            val before = scanPorts(a.localPort, b.localPort)
            val baseline = Baseline.fromJson(Baseline.of(before).toJson())
            assertEquals(Baseline(hosts = mapOf("127.0.0.1" to listOf(a.localPort, b.localPort).sorted().map { "$it/tcp" })), baseline)
            assertEquals(emptyList(), verify(before, expectations { noChangeFromBaseline() }, baseline))
            b.close()
            listener().use { c ->
                val after = scanPorts(a.localPort, b.localPort, c.localPort)
                assertEquals(
                    listOf(
                        "127.0.0.1 port ${c.localPort}/tcp: expected not open (not in the baseline) (no-change-from-baseline), found open",
                        "127.0.0.1 port ${b.localPort}/tcp: expected open (as in the baseline) (no-change-from-baseline), found closed",
                    ),
                    verify(after, expectations { noChangeFromBaseline() }, baseline).map { it.message },
                )
            }
        } }
        val e = assertFailsWith<InvalidSpecException> { verify(scanPorts(freePort()), expectations { noChangeFromBaseline() }) }
        assertEquals("no-change-from-baseline needs a baseline, and none was given (write one first)", e.message)
    }

    @Test
    fun `bad baseline files give one-line errors`() {
        val cases = mapOf(
            """{"formatVersion":2,"hosts":{}}""" to "baseline format version 2 is not supported (expected 1)",
            """{"hosts":{"10.0.0.1":["22/sctp"]}}""" to "invalid port \"22/sctp\" of host 10.0.0.1 in the baseline (expected PORT/tcp or PORT/udp)",
            "not json" to "invalid baseline JSON: Unexpected JSON token at offset 0: Expected start of the object '{', but had 'n' instead at path: \$",
        )
        for ((text, message) in cases) assertEquals(message, assertFailsWith<InvalidSpecException> { Baseline.fromJson(text) }.message)
    }

    @Test
    fun `the baseline reader raises only one-line InvalidSpecExceptions on random input`() {
        val r = kotlin.random.Random(11)
        val alphabet = "{}[]\":,0123456789/tcpudhostsformatVersion \n"
        repeat(20_000) {
            val text = String(CharArray(r.nextInt(0, 60)) { if (it % 3 == 0) r.nextInt(0, 0x3000).toChar() else alphabet[r.nextInt(alphabet.length)] })
            try {
                Baseline.fromJson(text)
            } catch (e: InvalidSpecException) {
                assertTrue(!e.message.isNullOrBlank() && '\n' !in e.message!!, "message for $text: ${e.message}")
            }
        }
    }

    @Test
    fun `service and min-version rules use what -sV found on a loopback SSH banner`() {
        listener().use { server ->
            kotlin.concurrent.thread(isDaemon = true) {
                repeat(20) {
                    val c = runCatching { server.accept() }.getOrNull() ?: return@thread
                    runCatching { c.use { it.getOutputStream().write("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".toByteArray()); Thread.sleep(100) } }
                }
            }
            val port = server.localPort
            val report = runBlocking {
                kmap.scan(EngineConfig(progressIntervalMillis = 0)) {
                    targets("127.0.0.1"); ports("$port"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); serviceDetection()
                }
            }
            val p = report.hosts.single().ports.single()
            assertEquals("OpenSSH", p.serviceInfo?.product)
            assertEquals("9.2p1", p.serviceInfo?.version)
            assertEquals("Debian 2+deb12u3; protocol 2.0", p.serviceInfo?.extraInfo)
            assertEquals(emptyList(), verify(report, expectations { service(port, "ssh"); minVersion("openssh", "9.0") }).map { it.message })
            val broken = verify(report, expectations { service(port, "http"); minVersion("openssh", "99.0") }).map { it.message }
            assertEquals(2, broken.size, broken.toString())
            assertTrue(broken.any { "OpenSSH 99.0 or later" in it && "OpenSSH 9.2p1" in it }, broken.toString())
        }
    }
}
