package dev.kmap.dsl

import org.junit.jupiter.api.Test
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.fail

class ExpectationsTest {
    private val policy = expectations {
        open(443)
        open(22) from "10.0.0.0/8"
        open(53, Protocol.UDP)
        closed(23)
        services("ssh", "https")
        services(listOf(AllowedService("http", "nginx*")))
        tlsCertificateValidFor(days = 30, ports = listOf(443, 8443))
        nothingElseOpen() from "fd10::/16"
        noChangeFromBaseline()
    }

    @Test
    fun `the DSL builds each rule, with from limiting it to a CIDR block`() {
        assertEquals(
            listOf(
                Expectation.Open(443),
                Expectation.Open(22, from = "10.0.0.0/8"),
                Expectation.Open(53, Protocol.UDP),
                Expectation.Closed(23),
                Expectation.Services(listOf(AllowedService("ssh"), AllowedService("https"))),
                Expectation.Services(listOf(AllowedService("http", "nginx*"))),
                Expectation.TlsCertificateValid(30, listOf(443, 8443)),
                Expectation.NothingElseOpen(from = "fd10::/16"),
                Expectation.NoChangeFromBaseline(),
            ),
            policy.rules,
        )
    }

    @Test
    fun `JSON and the line format both round-trip`() {
        assertEquals(policy, Expectations.fromJson(policy.toJson()))
        assertEquals(policy, Expectations.parse(policy.toJson()))
        assertEquals(
            """
            open 443/tcp
            open 22/tcp from 10.0.0.0/8
            open 53/udp
            closed 23/tcp
            services ssh https
            services http@nginx*
            tls-valid-for 30 on 443,8443
            nothing-else-open from fd10::/16
            no-change-from-baseline
            """.trimIndent() + "\n",
            policy.toText(),
        )
        assertEquals(policy, Expectations.parse(policy.toText()))
    }

    @Test
    fun `the line format takes comments, port lists and default TLS ports`() {
        val p = Expectations.parse(
            """
            # staging policy
            open 22,443   # ssh and https
            closed 23/tcp,69/udp from 10.1.0.0/16

            tls-valid-for 14
            """.trimIndent(),
        )
        assertEquals(
            listOf(
                Expectation.Open(22), Expectation.Open(443),
                Expectation.Closed(23, from = "10.1.0.0/16"), Expectation.Closed(69, Protocol.UDP, "10.1.0.0/16"),
                Expectation.TlsCertificateValid(14, Expectation.DEFAULT_TLS_PORTS),
            ),
            p.rules,
        )
    }

    @Test
    fun `bad lines name the file, the line, the bad value and what was expected`() {
        val cases = listOf(
            "open 443\nopn 22" to "policy.txt:2: unknown rule \"opn\" (expected one of open, closed, nothing-else-open, services, service, min-version, tls-valid-for, no-change-from-baseline)",
            "open 70000" to "policy.txt:1: invalid port \"70000\" in \"70000\" (expected a number 0..65535)",
            "open 22/sctp" to "policy.txt:1: unknown protocol \"sctp\" in \"22/sctp\" (expected tcp or udp)",
            "open" to "policy.txt:1: open needs one port list such as 22, 53/udp or 22,443 (got \"\")",
            "\n\nclosed 22 from 10.0.0.1/8" to "policy.txt:3: invalid CIDR 10.0.0.1/8 (host bits are set; expected the network address 10.0.0.0/8)",
            "closed 22 from nowhere" to "policy.txt:1: invalid host scope \"nowhere\" (expected a CIDR block such as 10.0.0.0/8 or an address)",
            "closed 22 from 10.0.0.0/40" to "policy.txt:1: invalid CIDR prefix /40 for 10.0.0.0 (IPv4 prefixes are 0..32)",
            "nothing-else-open 22" to "policy.txt:1: nothing-else-open takes no arguments (got \"22\")",
            "services" to "policy.txt:1: services needs at least one service name (e.g. services ssh https)",
            "tls-valid-for soon" to "policy.txt:1: tls-valid-for needs a number of days (e.g. tls-valid-for 30 on 443), got \"soon\"",
            "tls-valid-for -1" to "policy.txt:1: TLS validity of -1 days is out of range (expected 0 or more days)",
            "tls-valid-for 30 at 443" to "policy.txt:1: tls-valid-for expects DAYS [on PORTS] [allow-self-signed] [trust FILE] (got \"30 at 443\")",
            "tls-valid-for 30 trust" to "policy.txt:1: tls-valid-for expects DAYS [on PORTS] [allow-self-signed] [trust FILE] (got \"30 trust\")",
            "open 22 from 10.0.0.0/8 extra" to "policy.txt:1: \"from\" must be followed by exactly one CIDR block at the end of the line (got \"from 10.0.0.0/8 extra\")",
            "from 10.0.0.0/8" to "policy.txt:1: \"from 10.0.0.0/8\" without a rule (expected e.g. open 22 from 10.0.0.0/8)",
            "{\"rules\":[{\"type\":\"open\",\"port\":-1}]}" to "policy.txt: port -1 is out of range (ports are 0..65535)",
            "{\"rules\":[{\"type\":\"opened\"}]}" to "policy.txt: invalid expectations JSON: Unexpected JSON token at offset 10: Serializer for subclass 'opened' is not found in the polymorphic scope of 'Expectation' at path: \$.rules[0]",
        )
        for ((text, message) in cases) {
            try {
                Expectations.parse(text, "policy.txt")
                fail("no error for $text")
            } catch (e: InvalidSpecException) {
                assertEquals(message, e.message, "for $text")
            }
        }
    }

    @Test
    fun `rules apply to hosts in their CIDR block or address`() {
        val v4 = Expectation.Open(22, from = "10.0.0.0/8")
        assertTrue(v4.appliesTo(IpAddress.parse("10.255.0.1")))
        assertFalse(v4.appliesTo(IpAddress.parse("11.0.0.1")))
        assertFalse(v4.appliesTo(IpAddress.parse("::a00:1")))
        val one = Expectation.Closed(23, from = "fd10:220::5")
        assertTrue(one.appliesTo(IpAddress.parse("fd10:220::5")))
        assertFalse(one.appliesTo(IpAddress.parse("fd10:220::6")))
        assertTrue(Expectation.NothingElseOpen().appliesTo(IpAddress.parse("127.0.0.1")))
    }

    @Test
    fun `version patterns are globs`() {
        val s = AllowedService("ssh", "OpenSSH_9.?p*")
        assertTrue(s.matchesVersion("OpenSSH_9.2p1"))
        assertFalse(s.matchesVersion("OpenSSH_8.9p1"))
        assertFalse(s.matchesVersion(null))
        assertTrue(AllowedService("ssh").matchesVersion(null))
    }

    @Test
    fun `the parser raises only one-line InvalidSpecExceptions on random input`() {
        val r = Random(7)
        val alphabet = "openclsdthigfr-/ ,0123456789#\n.:@*{}\"[]"
        repeat(20_000) {
            val text = if (it % 2 == 0) String(CharArray(r.nextInt(0, 60)) { alphabet[r.nextInt(alphabet.length)] })
            else String(CharArray(r.nextInt(0, 60)) { r.nextInt(0, 0x3000).toChar() })
            try {
                Expectations.parse(text)
            } catch (e: InvalidSpecException) {
                val m = e.message ?: fail("no message for ${text.quoted()}")
                assertTrue(m.isNotBlank() && '\n' !in m, "message for ${text.quoted()}: $m")
            } catch (e: Exception) {
                fail("${e.javaClass.name} for ${text.quoted()}: ${e.message}")
            }
        }
    }

    private fun String.quoted() = "\"" + replace("\n", "\\n") + "\""

    @Test
    fun `tls-valid-for verifies by default, with an explicit allow-self-signed form and a trust file`() {
        val rules = Expectations.parse("tls-valid-for 30\ntls-valid-for 7 on 8443 allow-self-signed\ntls-valid-for 1 allow-self-signed on 443 trust certs/ca.pem from 10.0.0.0/8\n").rules
        assertEquals(
            listOf(
                Expectation.TlsCertificateValid(30),
                Expectation.TlsCertificateValid(7, listOf(8443), allowSelfSigned = true),
                Expectation.TlsCertificateValid(1, listOf(443), from = "10.0.0.0/8", allowSelfSigned = true, trust = "certs/ca.pem"),
            ),
            rules,
        )
        assertEquals("tls-valid-for 1 on 443 allow-self-signed trust certs/ca.pem from 10.0.0.0/8", rules[2].text)
        assertEquals(rules, Expectations.parse(rules.joinToString("\n") { it.text }).rules)
        assertEquals(Expectations(rules), Expectations.fromJson(Expectations(rules).toJson()))
        assertEquals(listOf(Expectation.TlsCertificateValid(3, listOf(443), allowSelfSigned = true)), expectations { tlsCertificateValidFor(3, listOf(443), allowSelfSigned = true) }.rules)
    }
}
