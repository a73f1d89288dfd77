package dev.kmap.report

import dev.kmap.dsl.AllowedService
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.expectations
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanReport
import dev.kmap.kmap
import java.net.InetAddress
import java.net.ServerSocket
import java.time.Duration
import java.time.Instant
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking

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
    fun `services, with version patterns failing closed while kmap has no version detection`() {
        listener().use { a ->
            val report = scanPorts(a.localPort)
            val service = report.hosts.single().ports.single().service ?: "unknown"
            val v = verify(report, expectations { services("ssh", "https") })
            assertEquals(listOf(Violation("127.0.0.1", a.localPort, Protocol.TCP, "one of ssh, https", service, "services ssh https")), v)
            assertEquals(emptyList(), verify(report, expectations { services("ssh", service) }))
            val versioned = verify(report, expectations { services(listOf(AllowedService(service, "1.*"))) })
            assertEquals(
                listOf("127.0.0.1 port ${a.localPort}/tcp: expected one of $service@1.* (services $service@1.*), found $service (version unknown: kmap has no version detection yet)"),
                versioned.map { it.message },
            )
        }
    }

    @Test
    fun `tls-valid-for reads the certificate through a real handshake`() {
        TestTlsServer(validityDays = 10).use { tls -> listener().use { plain ->
            val report = scanPorts(tls.port, plain.localPort)
            val now = Instant.now()
            assertEquals(emptyList(), verify(report, expectations { tlsCertificateValidFor(days = 5, ports = listOf(tls.port)) }, now = now))
            val v = verify(report, expectations { tlsCertificateValidFor(days = 30, ports = listOf(tls.port, plain.localPort)) }, now = now, tlsTimeoutMillis = 1000)
            assertEquals(listOf(tls.port, plain.localPort).sorted(), v.map { it.port }, "violations are in port order")
            val notAfter = TlsCertificateReader.HANDSHAKE.notAfter(IpAddress.parse("127.0.0.1"), tls.port, 3000)
            assertTrue(Duration.between(now, notAfter).toDays() in 9..10, "notAfter $notAfter")
            val day = notAfter.toString().substring(0, 10)
            assertEquals(
                "127.0.0.1 port ${tls.port}/tcp: expected a TLS certificate valid for 30 more days (tls-valid-for 30 on ${tls.port},${plain.localPort}), " +
                    "found a certificate that expires on $day (in ${Duration.between(now, notAfter).toDays()} days)",
                v.single { it.port == tls.port }.message,
            )
            val plainFound = v.single { it.port == plain.localPort }.found
            assertTrue(plainFound.startsWith("no TLS handshake ("), plainFound)
        } }
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
}
