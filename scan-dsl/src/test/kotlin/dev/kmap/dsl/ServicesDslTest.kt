package dev.kmap.dsl

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

class ServicesDslTest {
    @Test
    fun `services { probe } builds the probe model and the plan round-trips through JSON`() {
        val plan = scan {
            targets("127.0.0.1")
            services {
                intensity = 5
                trace = true
                database("/etc/kmap/extra.probes")
                probe("acme") {
                    tcp(9000, 9001)
                    send("HELLO\r\n")
                    rarity = 2
                    waitMillis = 1500
                    match("^ACME (\\d+\\.\\d+) on (\\S+)") { product = "Acme"; version = group(1); hostname = group(2); cpe("cpe:/a:acme:acme:${group(1)}"); ignoreCase = true }
                    softmatch("acme", "^ACME")
                }
            }
        }
        val d = plan.serviceDetection!!
        assertEquals(5, d.intensity)
        assertTrue(d.trace)
        assertEquals(listOf("/etc/kmap/extra.probes"), d.databases)
        val p = d.probes.single()
        assertEquals(ServiceProbe("acme", Protocol.TCP, "HELLO\r\n", PortList.of(9000, 9001), rarity = 2, totalWaitMillis = 1500,
            matches = listOf(
                ServiceMatch("acme", "^ACME (\\d+\\.\\d+) on (\\S+)", caseInsensitive = true, product = "Acme", version = "$1", hostname = "$2", cpe = listOf("cpe:/a:acme:acme:$1")),
                ServiceMatch("acme", "^ACME", soft = true),
            )), p)
        assertEquals(plan, ScanPlan.fromJson(plan.toJson()))
        // serviceDetection() after services { } keeps the probes
        assertEquals(listOf(p), scan { targets("127.0.0.1"); services { probe(p) }; serviceDetection(3) }.serviceDetection!!.probes)
        // a plan without probes writes no probe fields
        assertTrue(scan { targets("127.0.0.1"); serviceDetection() }.toJson().let { "\"trace\"" !in it && "\"databases\"" !in it })
    }

    @Test
    fun `bad probe definitions are refused with one line`() {
        assertEquals("probe acme: rarity 12 is out of range (expected 1..9)",
            assertFailsWith<InvalidSpecException> { scan { targets("127.0.0.1"); services { probe("acme") { rarity = 12 } } } }.message)
        assertEquals("invalid probe name \"a b\" (expected a word without spaces or commas)",
            assertFailsWith<InvalidSpecException> { ServiceProbe("a b") }.message)
        assertEquals("probe x: payload holds a character above U+00FF (payloads are bytes)",
            assertFailsWith<InvalidSpecException> { ServiceProbe("x", payload = "\u20ac") }.message)
        assertEquals("group 10 is out of range (expected 1..9)",
            assertFailsWith<InvalidSpecException> { scan { targets("127.0.0.1"); services { probe("x") { match("(a)") { version = group(10) } } } } }.message)
    }

    @Test
    fun `service and min-version expectations in the DSL and the file`() {
        val e = expectations { service(443, "nginx"); minVersion("openssh", "9.0") from "10.0.0.0/8" }
        assertEquals("service 443/tcp nginx\nmin-version openssh 9.0 from 10.0.0.0/8\n", e.toText())
        assertEquals(e, Expectations.parse(e.toText(), "p"))
        assertEquals(e, Expectations.fromJson(e.toJson()))
        assertEquals("p:1: service expects PORT NAME, e.g. service 443 nginx (got \"443\")",
            assertFailsWith<InvalidSpecException> { Expectations.parse("service 443", "p") }.message)
        assertEquals("p:2: invalid minimum version \"new\" for openssh (expected e.g. 9.0)",
            assertFailsWith<InvalidSpecException> { Expectations.parse("\nmin-version openssh new", "p") }.message)
        val min = Expectation.MinVersion("OpenSSH", "9.0")
        assertTrue(min.isSatisfiedBy("9.2p1"))
        assertTrue(min.isSatisfiedBy("9.0"))
        assertTrue(!min.isSatisfiedBy("8.9p1"))
        assertTrue(Expectation.MinVersion("nginx", "1.22").isSatisfiedBy("1.22.1"))
        assertTrue(!Expectation.MinVersion("nginx", "1.24").isSatisfiedBy("1.22.1"))
        assertTrue(Expectation.MinVersion("x", "10.0").isSatisfiedBy("10.11.19"))
    }
}
