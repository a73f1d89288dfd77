package dev.kmap.store

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.scan
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.OsMatch
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanStats
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import dev.kmap.engine.ServiceInfo
import dev.kmap.engine.TlsDetails

/** A scan's events with every result field set (and hostile text), as the engine would stream them. */
object StoreFixtures {
    val plan: ScanPlan = scan {
        targets("10.252.0.11", "10.252.0.12", "10.252.0.13", "nowhere.invalid")
        ports("22,80,443,8080")
        connect()
    }

    private val h1 = Host(IpAddress.parse("10.252.0.11"), "web.lab")
    private val h2 = Host(IpAddress.parse("10.252.0.12"))
    private val h3 = Host(IpAddress.parse("fd10:252::13"))

    private val elements = ScriptElement.Table(
        listOf(
            ScriptElement.Elem("title", "Welcome\u0000 <&> \"quoted\""),
            ScriptElement.Table(listOf(ScriptElement.Elem(null, "GET"), ScriptElement.Elem(null, "HEAD")), "methods"),
        ),
    )

    val ports1 = listOf(
        PortResult(22, Protocol.TCP, PortState.OPEN, "syn-ack", "ssh", 120, listOf(ScriptOutput("banner", "SSH-2.0-OpenSSH_9.2p1\r\n\u0001x"))),
        PortResult(80, Protocol.TCP, PortState.OPEN, "syn-ack", "http", 95, listOf(
            ScriptOutput("http-title", "Welcome\u0000 <&>", elements),
            ScriptOutput("http-methods", "GET HEAD\nline two"),
        )),
        PortResult(443, Protocol.TCP, PortState.CLOSED, "conn-refused", "https", 80),
        PortResult(8080, Protocol.TCP, PortState.FILTERED, "no-response", null, null),
        PortResult(
            8443, Protocol.TCP, PortState.OPEN, "syn-ack", "https-alt", 90,
            serviceInfo = ServiceInfo(
                "http", "nginx", "1.22.1", "Debian", cpe = listOf("cpe:/a:igor_sysoev:nginx:1.22.1"), tunnel = "ssl", probe = "GetRequest",
                waitedMillis = 12, trace = listOf("ssl/GetRequest sent 18 bytes, waited 3 ms: 120 bytes\u0000"),
                tls = TlsDetails("TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=web", "CN=web", listOf("DNS:web", "IP:10.252.0.11"), sha256 = "ab"),
            ),
        ),
        PortResult(53, Protocol.UDP, PortState.OPEN_FILTERED, "no-response", "domain", null),
    )

    val hosts = listOf(
        HostResult(
            h1, HostStatus.UP, "syn-ack", ports1, reverseName = "web-01.lab\u0000", latencyMicros = 95,
            startedAtMillis = 1_700_000_000_123, finishedAtMillis = 1_700_000_001_456, timedOut = false,
            hostScripts = listOf(ScriptOutput("host-info", "up for 3 days", ScriptElement.Table(listOf(ScriptElement.Elem("uptime", "3d"))))),
            mac = "02:00:0a:fc:00:0b", hostnames = listOf("www.kmap.lab", "kmap.lab"),
            os = listOf(OsMatch("Linux 3.11 and newer", "Linux", 90, "p0f", "4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0")),
        ),
        HostResult(h2, HostStatus.DOWN, "no-response", startedAtMillis = 1_700_000_000_200, finishedAtMillis = 1_700_000_001_000),
        HostResult(
            h3, HostStatus.UP, "user-set", listOf(PortResult(22, Protocol.TCP, PortState.OPEN, "syn-ack", "ssh", 7)),
            latencyMicros = null, startedAtMillis = 1_700_000_000_300, finishedAtMillis = 1_700_000_009_000, timedOut = true,
        ),
        HostResult(
            Host(IpAddress.parse("0.0.0.0"), "nowhere.invalid"), HostStatus.UNKNOWN, "unresolved",
            error = "failed to resolve \"nowhere.invalid\"",
        ),
    )

    val stats = ScanStats(
        1_700_000_000_000, 1_700_000_010_000, hostsUp = 2, hostsDown = 1, hostsTotal = 4, probesSent = 4242, interrupted = false,
        probesUnanswered = 17, reprobes = 9, reprobesAnswered = 4, rateLowered = true,
    )

    /** The events of the scan: ports stream before their host finishes; scripts arrive with HostFinished. */
    fun events(): List<ScanEvent> = buildList {
        add(ScanEvent.Started(plan, stats.startedAtMillis, 4))
        add(ScanEvent.HostStarted(h1))
        add(ScanEvent.HostStarted(h3))
        ports1.forEach { add(ScanEvent.PortFound(h1, it.copy(scripts = emptyList()))) }
        add(ScanEvent.Progress(1, 4, 10, 100.0, 1000))
        add(ScanEvent.HostFinished(hosts[0]))
        add(ScanEvent.HostFinished(hosts[1]))
        add(ScanEvent.PortFound(h3, hosts[2].ports[0]))
        add(ScanEvent.HostFinished(hosts[2]))
        add(ScanEvent.HostFinished(hosts[3]))
        add(ScanEvent.Finished(stats))
    }
}
