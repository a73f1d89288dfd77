package dev.kmap.cli

import com.github.ajalt.clikt.core.parse
import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.OutputSpec
import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.Shard
import dev.kmap.dsl.TargetSpec
import dev.kmap.dsl.TimingTemplate
import dev.kmap.dsl.TopPorts
import dev.kmap.engine.ConnectScanModule
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import kotlin.test.assertEquals

/** Each flag lands in the plan where the engine reads it (parsing only: nothing is sent). */
class FlagsTest {
    class Case(val argv: String, val check: (ScanPlan) -> Unit) {
        override fun toString() = "kmap $argv"
    }

    companion object {
        private fun tcp(spec: String) = PortList.ofRanges(spec.split(',').map { r -> r.split('-').let { it[0].toInt()..it.last().toInt() } })

        @JvmStatic
        fun cases() = listOf(
            Case("127.0.0.1") { p ->
                assertEquals(listOf(ScanType.CONNECT), p.scanTypes, "without raw modules the default is -sT")
                assertEquals(1000, p.ports.tcp.size)
                assertEquals(TimingTemplate.T3, p.timing.template)
                assertEquals(DnsResolution.DEFAULT, p.dns)
            },
            Case("-sT -p 22,80-81 10.0.0.1") { assertEquals(tcp("22,80-81"), it.ports.tcp) },
            Case("-sT -p- 10.0.0.1") { assertEquals(65535, it.ports.tcp.size) },
            Case("-sT -p U:53,T:22 -sU 10.0.0.1") { assertEquals(listOf(ScanType.CONNECT, ScanType.UDP), it.scanTypes); assertEquals(tcp("53"), it.ports.udp); assertEquals(tcp("22"), it.ports.tcp) },
            Case("-sS 10.0.0.1") { assertEquals(listOf(ScanType.SYN), it.scanTypes) },
            Case("-sA 10.0.0.1") { assertEquals(listOf(ScanType.ACK), it.scanTypes) },
            Case("-F 10.0.0.1") { assertEquals(TopPorts.get(Protocol.TCP, 100), it.ports.tcp) },
            Case("--top-ports 10 --exclude-ports 80 10.0.0.1") { assertEquals(TopPorts.get(Protocol.TCP, 10) - tcp("80"), it.ports.tcp) },
            Case("-sn 10.0.0.1") { assertEquals(true, it.pingOnly); assertEquals(emptyList(), it.scanTypes) },
            Case("-Pn -PS22,443 -PA -PU -PE -PP -PR 10.0.0.1") { p ->
                assertEquals(true, p.discovery.skip)
                assertEquals(
                    listOf(DiscoveryProbe.IcmpEcho, DiscoveryProbe.IcmpTimestamp, DiscoveryProbe.Arp, DiscoveryProbe.TcpSyn(listOf(22, 443)),
                        DiscoveryProbe.TcpAck(listOf(80)), DiscoveryProbe.Udp(listOf(40125))),
                    p.discovery.probes,
                )
            },
            Case("-iL hosts.txt --exclude 10.0.0.5,10.0.0.6 --excludefile ex.txt 10.0.0.0/24") { p ->
                assertEquals(listOf(TargetSpec.parse("10.0.0.0/24"), TargetSpec.File("hosts.txt")), p.targets.includes)
                assertEquals(listOf(TargetSpec.parse("10.0.0.5"), TargetSpec.parse("10.0.0.6"), TargetSpec.File("ex.txt")), p.targets.excludes)
            },
            Case("--randomize-hosts --seed 42 --shard 2/4 10.0.0.0/24") { p ->
                assertEquals(true, p.targets.randomize); assertEquals(42L, p.targets.seed); assertEquals(Shard.parse("2/4"), p.targets.shard)
            },
            Case("-n 10.0.0.1") { assertEquals(DnsResolution.NEVER, it.dns) },
            Case("-R 10.0.0.1") { assertEquals(DnsResolution.ALWAYS, it.dns) },
            Case("-6 ::1") { assertEquals(true, it.preferIpv6) },
            Case("-T4 --min-rate 100 --max-rate 2000.5 --max-retries 2 --host-timeout 30s --scan-delay 5ms --min-parallelism 10 --max-parallelism 100 10.0.0.1") { p ->
                val t = p.timing
                assertEquals(TimingTemplate.T4, t.template)
                assertEquals(listOf(100.0, 2000.5), listOf(t.minRate, t.maxRate))
                assertEquals(2, t.maxRetries)
                assertEquals(listOf(30_000L, 5L), listOf(t.hostTimeoutMillis, t.scanDelayMillis))
                assertEquals(listOf(10, 100), listOf(t.minParallelism, t.maxParallelism))
            },
            Case("-T aggressive --max-rtt-timeout 1.5 --min-rtt-timeout 100ms --initial-rtt-timeout 1m --max-scan-delay 1h 10.0.0.1") { p ->
                assertEquals(TimingTemplate.T4, p.timing.template)
                assertEquals(listOf(1_500L, 100L, 60_000L, 3_600_000L),
                    listOf(p.timing.maxRttTimeoutMillis, p.timing.minRttTimeoutMillis, p.timing.initialRttTimeoutMillis, p.timing.maxScanDelayMillis))
            },
            Case("-oN a.nmap -oX a.xml -oG a.gnmap -oJ a.json --ndjson a.ndjson --csv a.csv --sarif a.sarif --junit a.junit --html a.html 10.0.0.1") { p ->
                assertEquals(
                    listOf(OutputFormat.NORMAL to "a.nmap", OutputFormat.XML to "a.xml", OutputFormat.GREPABLE to "a.gnmap", OutputFormat.JSON to "a.json",
                        OutputFormat.NDJSON to "a.ndjson", OutputFormat.CSV to "a.csv", OutputFormat.SARIF to "a.sarif", OutputFormat.JUNIT to "a.junit",
                        OutputFormat.HTML to "a.html").map { OutputSpec(it.first, it.second) },
                    p.outputs,
                )
            },
            Case("-oA scan --json - 10.0.0.1") { p ->
                assertEquals(listOf(OutputSpec(OutputFormat.JSON, "-"), OutputSpec(OutputFormat.NORMAL, "scan.nmap"), OutputSpec(OutputFormat.XML, "scan.xml"),
                    OutputSpec(OutputFormat.GREPABLE, "scan.gnmap")), p.outputs)
            },
        )
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    fun `flags build the plan`(case: Case) {
        val command = ScanCommand(listOf(ConnectScanModule))
        val dir = java.nio.file.Files.createTempDirectory("kmap-flags").toFile()
        // -iL/--excludefile must be readable and -o* writable: run from a directory where they are
        for (f in listOf("hosts.txt", "ex.txt")) java.io.File(dir, f).writeText("10.0.0.9\n")
        val argv = case.argv.split(' ').map { w -> if (w.endsWith(".txt")) java.io.File(dir, w).path else w }
        command.parse(NmapArgs.normalize(argv))
        val plan = command.plan!!
        val relative = plan.copy(
            targets = plan.targets.copy(
                includes = plan.targets.includes.map { if (it is TargetSpec.File) TargetSpec.File(java.io.File(it.path).name) else it },
                excludes = plan.targets.excludes.map { if (it is TargetSpec.File) TargetSpec.File(java.io.File(it.path).name) else it },
            ),
        )
        case.check(relative)
        dir.deleteRecursively()
    }
}
