package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.test.Test
import kotlin.test.assertEquals

/** A SYN scan without raw-packet privileges runs as a connect scan and says so, as nmap does. */
class SynFallbackTest {
    private val noRaw = object : ProbeModule {
        override val name = "raw-unavailable"
        override val scanTypes = setOf(dev.kmap.dsl.ScanType.SYN)
        override val discoveryProbes = emptySet<kotlin.reflect.KClass<out dev.kmap.dsl.DiscoveryProbe>>()
        override val silence = Verdict(PortState.FILTERED, "no-response", false)
        override fun unavailableReason() = "raw packets need root or CAP_NET_RAW"
        override fun open(): ProbeSession = error("never opened")
    }

    @Test
    fun `SYN falls back to connect with a warning`() = runBlocking {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val events = ArrayList<ScanEvent>()
            val plan = scan { targets("127.0.0.1"); ports("${server.localPort}"); syn(); skipDiscovery(); dns(DnsResolution.NEVER) }
            scanFlow(plan, EngineConfig(modules = listOf(noRaw, ConnectScanModule), progressIntervalMillis = 0)).collect { events += it }
            assertEquals(
                "scan type -sS is unavailable (raw packets need root or CAP_NET_RAW); running -sT instead",
                events.filterIsInstance<ScanEvent.Warning>().single().message,
            )
            val port = events.filterIsInstance<ScanEvent.HostFinished>().single().result.ports.single()
            assertEquals(PortState.OPEN, port.state)
            assertEquals("syn-ack", port.reason)
        }
    }

    @Test
    fun `types nobody stands in for still fail with the reason`() {
        val plan = scan { targets("127.0.0.1"); ports("80"); fin() }
        val e = kotlin.test.assertFailsWith<ScanUnavailableException> {
            runBlocking { scan(plan, EngineConfig(modules = listOf(ConnectScanModule))) }
        }
        assertEquals("scan type -sF is unavailable: no probe module implements it yet; the connect scan -sT works without privileges", e.message)
    }
}
