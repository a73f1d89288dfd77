package dev.kmap.report.format

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ServiceNames
import dev.kmap.dsl.scan
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStats
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import java.time.ZoneId

/** A fixed scan (times, hosts, ports) that exercises every branch of the formatters. */
object ReportFixture {
    const val T0 = 1_700_000_000_000L // 2023-11-14T22:13:20Z

    val plan: ScanPlan = scan {
        targets("127.0.0.1", "10.0.0.5", "db.example", "::1")
        ports("T:1-100,443,8080,U:53,161")
        connect(); udp()
    }

    val options = ReportOptions(
        version = "0.1.0-test",
        commandLine = "kmap -sT -sU -p T:1-100,443,8080,U:53,161 127.0.0.1 10.0.0.5 db.example ::1",
        zone = ZoneId.of("UTC"),
    )

    private fun port(p: Int, state: PortState, reason: String, rtt: Long? = null, protocol: Protocol = Protocol.TCP) =
        PortResult(p, protocol, state, reason, ServiceNames.name(protocol, p), rtt)

    /** Up: 98 closed, 3 open, 1 filtered TCP ports; one open|filtered and one closed UDP port. */
    val localhost = HostResult(
        host = Host(IpAddress.parse("127.0.0.1")),
        status = HostStatus.UP,
        reason = "syn-ack",
        ports = (1..100).map {
            when (it) {
                22 -> port(it, PortState.OPEN, "syn-ack", 40).copy(scripts = listOf(ScriptOutput("banner", "SSH-2.0-OpenSSH_9.2p1")))
                80 -> port(it, PortState.OPEN, "syn-ack", 40).copy(scripts = listOf(httpTitle, httpHeaders))
                else -> port(it, PortState.CLOSED, "conn-refused", 30)
            }
        } +
            listOf(port(443, PortState.FILTERED, "no-response"), port(8080, PortState.OPEN, "syn-ack", 45)) +
            listOf(port(53, PortState.OPEN_FILTERED, "no-response", protocol = Protocol.UDP), port(161, PortState.CLOSED, "port-unreach", 50, Protocol.UDP)),
        reverseName = "localhost",
        latencyMicros = 35,
        startedAtMillis = T0 + 10,
        finishedAtMillis = T0 + 1_510,
        hostScripts = listOf(ScriptOutput("registry-note", "2 scripts shared \"state\" & <data>")),
    )

    /** Script results with structure, text to escape and several lines. */
    val httpTitle: ScriptOutput get() = ScriptOutput(
        "http-title", "Lab & <title>",
        ScriptElement.Table(listOf(ScriptElement.Elem("title", "Lab & <title>"))),
    )
    val httpHeaders: ScriptOutput get() = ScriptOutput(
        "http-headers", "\n  Server: nginx\n  Content-Type: text/html\n",
        ScriptElement.Table(listOf(ScriptElement.Table(listOf(ScriptElement.Elem(null, "Server: nginx"), ScriptElement.Elem(null, "Content-Type: text/html")), "headers"))),
    )

    val down = HostResult(
        host = Host(IpAddress.parse("10.0.0.5")), status = HostStatus.DOWN, reason = "no-response",
        startedAtMillis = T0 + 10, finishedAtMillis = T0 + 2_010,
    )

    val unresolved = HostResult(
        host = Host(IpAddress.parse("0.0.0.0"), "db.example"), status = HostStatus.UNKNOWN, reason = "unresolved",
        error = "failed to resolve \"db.example\"",
    )

    /** Given by name, up without discovery, timed out; a name with characters to escape in its PTR. */
    val v6 = HostResult(
        host = Host(IpAddress.parse("::1"), "v6.example"),
        status = HostStatus.UP,
        reason = "user-set",
        ports = listOf(port(22, PortState.CLOSED, "conn-refused", 9), port(80, PortState.OPEN, "syn-ack", 9)),
        reverseName = "a&b<c>.example",
        latencyMicros = 9,
        startedAtMillis = T0 + 20,
        finishedAtMillis = T0 + 2_300,
        timedOut = true,
    )

    val hosts = listOf(unresolved, localhost, down, v6)

    val stats = ScanStats(T0, T0 + 2_345, hostsUp = 2, hostsDown = 1, hostsTotal = 4, probesSent = 210, interrupted = false)

    /** The whole report in [format]: start, every host, finish. */
    fun render(format: OutputFormat, options: ReportOptions = this.options, stats: ScanStats = this.stats, hosts: List<HostResult> = this.hosts): String =
        render(ReportFormats.create(format, options), stats, hosts)

    /** The fixture's policy: port 22 and 443 open, 8080 closed, nothing else open on loopback. */
    val policy = dev.kmap.dsl.expectations { open(22); open(443); closed(8080); nothingElseOpen() from "127.0.0.0/8" }

    fun render(formatter: ReportFormatter, stats: ScanStats = this.stats, hosts: List<HostResult> = this.hosts, expect: dev.kmap.dsl.Expectations? = null): String {
        val sb = StringBuilder()
        formatter.start(plan, T0, sb)
        hosts.forEach { formatter.host(it, sb) }
        if (expect != null) formatter.expectations(expect, dev.kmap.report.verify(dev.kmap.engine.ScanReport(plan, hosts, stats), expect), sb)
        formatter.finish(stats, sb)
        return sb.toString()
    }
}
