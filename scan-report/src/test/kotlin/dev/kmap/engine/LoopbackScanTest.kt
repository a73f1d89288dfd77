package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.kmap
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.test.Test
import kotlin.test.assertEquals

/** Needs no lab: a listener on 127.0.0.1 and a port nobody listens on. */
class LoopbackScanTest {
    @Test
    fun `open and closed ports on loopback`() = runBlocking {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val open = server.localPort
            val closed = ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { it.localPort } // bound, then freed
            val report = kmap.scan(EngineConfig(progressIntervalMillis = 0)) {
                targets("127.0.0.1"); ports("$open,$closed"); connect(); dns(DnsResolution.NEVER)
            }
            val host = report.hosts.single()
            assertEquals(HostStatus.UP, host.status)
            assertEquals(mapOf(open to PortState.OPEN, closed to PortState.CLOSED).toSortedMap(), host.ports.associate { it.port to it.state }.toSortedMap())
            assertEquals(1, report.stats.hostsUp)
            assertEquals(false, report.stats.interrupted)
        }
    }

    @Test
    fun `a host processor's result is what HostFinished and the report carry`() = runBlocking {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val open = server.localPort
            val plan = scan { targets("127.0.0.1"); ports("$open"); connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
            val seen = ArrayList<HostResult>()
            val processor = HostProcessor { h ->
                seen += h
                h.copy(ports = h.ports.map { it.copy(scripts = listOf(ScriptOutput("note", "port ${it.port}"))) }, hostScripts = listOf(ScriptOutput("host", "done")))
            }
            val report = scan(plan, EngineConfig(progressIntervalMillis = 0, hostProcessors = listOf(processor)))
            val host = report.hosts.single()
            assertEquals(emptyList(), seen.single().hostScripts)
            assertEquals(listOf(ScriptOutput("note", "port $open")), host.ports.single().scripts)
            assertEquals(listOf(ScriptOutput("host", "done")), host.hostScripts)
        }
    }

    @Test
    fun `the flow reports events in order`() = runBlocking {
        val plan = scan { targets("127.0.0.1"); ports("1-200"); connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
        val events = ArrayList<ScanEvent>()
        scanFlow(plan, EngineConfig(progressIntervalMillis = 0)).collect { events += it }
        assert(events.first() is ScanEvent.Started)
        assert(events[1] is ScanEvent.HostStarted)
        assertEquals(200, events.count { it is ScanEvent.PortFound })
        assert(events[events.size - 2] is ScanEvent.HostFinished)
        assert(events.last() is ScanEvent.Finished)
    }
}
