package dev.kmap.dsl

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.seconds

class ScanDslTest {
    private fun sketch() = scan {
        targets { cidr("10.0.0.0/24"); host("db.internal"); exclude("10.0.0.1") }
        ports { range(1..1024); top(100); udp(53, 161) }
        syn()
        discovery { icmpEcho(); tcpSyn(443) }
        timing(T4) { maxRetries = 2; minRate = 10_000 }
        serviceDetection(intensity = 7)
        script("http-title") { arg("path", "/") }
        output { xml("scan.xml"); json("scan.json") }
    }

    @Test
    fun `the issue's sketch builds the plan it describes`() {
        val plan = sketch()
        assertEquals(
            listOf(TargetSpec.Cidr(IpAddress.parse("10.0.0.0"), 24), TargetSpec.HostName("db.internal")),
            plan.targets.includes,
        )
        assertEquals(listOf(TargetSpec.Address(IpAddress.parse("10.0.0.1"))), plan.targets.excludes)
        assertEquals(listOf(ScanType.SYN), plan.scanTypes)
        // range(1..1024) and top(100) go to TCP, the only scanned protocol; udp() names its own
        assertEquals(PortList.ofRanges(listOf(1..1024)) + TopPorts.get(Protocol.TCP, 100), plan.ports.tcp)
        assertEquals(PortList.of(53, 161), plan.ports.udp)
        assertEquals(listOf(DiscoveryProbe.IcmpEcho, DiscoveryProbe.TcpSyn(listOf(443))), plan.discovery.probes)
        assertEquals(TimingTemplate.T4, plan.timing.template)
        assertEquals(2, plan.timing.effectiveMaxRetries)
        assertEquals(10_000.0, plan.timing.minRate)
        assertEquals(1250, plan.timing.effectiveMaxRttTimeoutMillis)
        assertEquals(ServiceDetection(7), plan.serviceDetection)
        assertEquals(listOf(ScriptSelection("http-title", mapOf("path" to "/"))), plan.scripts)
        assertEquals(listOf(OutputSpec(OutputFormat.XML, "scan.xml"), OutputSpec(OutputFormat.JSON, "scan.json")), plan.outputs)
    }

    @Test
    fun `plans have structural equality and round-trip through JSON unchanged`() {
        val plan = sketch()
        assertEquals(plan, sketch())
        assertEquals(plan.hashCode(), sketch().hashCode())
        val json = plan.toJson()
        assertEquals(plan, ScanPlan.fromJson(json))
        assertEquals(json, ScanPlan.fromJson(json).toJson())
        assertNotEquals(plan, scan { targets("10.0.0.0/24"); syn() })
    }

    @Test
    fun `every part of a plan survives JSON`() {
        val plan = scan {
            targets {
                add("192.168.1.1"); add("fd00::/120"); octets("10.0.0-3.1-254"); range("10.1.0.5", "10.1.0.20")
                host("example.internal"); file("targets.txt"); exclude("10.0.0.0/30", "10.0.1.*"); excludeFile("skip.txt")
                randomize(seed = 42); shard(2, 4)
            }
            ports { spec("U:53,T:21-25,80"); exclude("25") }
            connect(); udp()
            discovery { icmpTimestamp(); arp(); tcpAck(80, 8080); udp(); tcpConnect() }
            timing(T2) { hostTimeout = 30.seconds; scanDelay = 1.seconds; maxParallelism = 10; maxRate = 0.5 }
            osDetection()
            script("default")
            output { all("nightly"); ndjson("-"); csv("a.csv"); sarif("a.sarif"); junit("a.xml"); html("a.html") }
            dns(DnsResolution.NEVER)
            ipv6()
        }
        assertEquals(plan, ScanPlan.fromJson(plan.toJson()))
        assertEquals(PortList.of(21, 22, 23, 24, 80), plan.ports.tcp)
        assertEquals(PortList.of(53), plan.ports.udp)
        assertEquals(Shard(2, 4), plan.targets.shard)
        assertEquals(30_000, plan.timing.hostTimeoutMillis)
        assertEquals(5, plan.outputs.count { it.path.startsWith("nightly") } + plan.outputs.count { it.path == "a.csv" || it.path == "-" })
    }

    @Test
    fun `defaults follow nmap`() {
        val plan = scan { targets("127.0.0.1") }
        assertTrue(plan.scanTypes.isEmpty(), "empty = the engine's default TCP scan")
        assertEquals(TopPorts.get(Protocol.TCP, 1000), plan.ports.tcp)
        assertTrue(plan.ports.udp.isEmpty())
        assertEquals(TimingTemplate.T3, plan.timing.template)
        assertNull(plan.serviceDetection)
        assertEquals(false, plan.discovery.skip)
        val udp = scan { targets("127.0.0.1"); udp() }
        assertEquals(TopPorts.get(Protocol.UDP, 1000), udp.ports.udp)
        assertTrue(udp.ports.tcp.isEmpty())
        val ping = scan { targets("10.0.0.0/24"); pingOnly() }
        assertTrue(ping.ports.isEmpty())
        val both = scan { targets("127.0.0.1"); ports("22,53"); syn(); udp() }
        assertEquals(PortList.of(22, 53), both.ports.tcp)
        assertEquals(PortList.of(22, 53), both.ports.udp)
    }

    private fun expectError(message: String, block: ScanBuilder.() -> Unit) {
        assertEquals(message, assertFailsWith<InvalidSpecException> { scan(block) }.message)
    }

    @Test
    fun `bad input is one typed error naming the value`() {
        expectError("scan types -sS and -sT cannot be combined (choose one TCP scan type; -sU may be added)") { targets("127.0.0.1"); syn(); connect() }
        expectError("ping scan -sn cannot be combined with port scan -sS (-sn skips the port scan)") { targets("127.0.0.1"); pingOnly(); syn() }
        expectError("version intensity 10 is out of range (expected 0..9)") { serviceDetection(intensity = 10) }
        expectError("port 70000 in 1..70000 is out of range (ports are 0..65535)") { ports { range(1..70000) } }
        expectError("top ports count 0 is out of range (expected at least 1)") { ports { top(0) } }
        expectError("max retries -1 is out of range (expected 0..1000)") { timing(T4) { maxRetries = -1 } }
        expectError("min rate 100.0 is above max rate 10.0 (expected min rate <= max rate)") { timing(T4) { minRate = 100; maxRate = 10 } }
        expectError("invalid script selector \"bad name\" (expected a script name, glob or category)") { script("bad name") }
        expectError("invalid target \"10.0.0.1\" (expected a CIDR block such as 10.0.0.0/24)") { targets { cidr("10.0.0.1") } }
        expectError("no ports to scan (the port list is empty after exclusions)") { targets("127.0.0.1"); ports { port(22); exclude("22") } }
        assertEquals(
            "invalid timing template \"9\" (expected 0..5, T0..T5, or paranoid|sneaky|polite|normal|aggressive|insane)",
            assertFailsWith<InvalidSpecException> { TimingTemplate.parse("9") }.message,
        )
        assertEquals(TimingTemplate.T4, TimingTemplate.parse("aggressive"))
        assertEquals(TimingTemplate.T4, TimingTemplate.parse("4"))
        assertEquals(TimingTemplate.T4, TimingTemplate.parse("T4"))
    }

    @Test
    fun `random text never breaks the plan reader with anything but the typed error`() {
        val rnd = kotlin.random.Random(2026)
        val valid = sketch().toJson()
        repeat(3_000) { i ->
            val text = when (i % 3) {
                0 -> String(CharArray(rnd.nextInt(0, 80)) { (rnd.nextInt(0, 128)).toChar() })
                1 -> valid.substring(0, rnd.nextInt(valid.length)) // truncated
                else -> valid.toCharArray().also { c -> repeat(3) { c[rnd.nextInt(c.size)] = "{}[]\":,0a-".random(rnd) } }.concatToString()
            }
            try {
                ScanPlan.fromJson(text)
            } catch (e: InvalidSpecException) {
                assertTrue(e.message!!.lines().size == 1, "one line: ${e.message}")
            }
        }
    }

    @Test
    fun `the Java builder builds the same plan as the DSL`() {
        val fromJava = ScanPlanBuilder().targets("10.0.0.0/24").exclude("10.0.0.1").ports("22,80").connect()
            .timing(TimingTemplate.T4).maxRetries(2).skipDiscovery().noDns().build()
        val fromDsl = scan {
            targets { add("10.0.0.0/24"); exclude("10.0.0.1") }
            timing(T4) { maxRetries = 2 }
            ports("22,80"); connect(); skipDiscovery(); dns(DnsResolution.NEVER)
        }
        assertEquals(fromDsl, fromJava)
    }
}
