package dev.kmap.engine.stages

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.scan
import dev.kmap.engine.DefaultDiscovery
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PendingReplies
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.engine.VirtualNet
import dev.kmap.engine.scanFlow
import dev.kmap.packet.MacAddress
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import kotlin.reflect.KClass
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The hand-off from discovery to the port scan, on a virtual network whose ARP loop cannot move
 * its clock past a gate until a condition holds (or 5 s of real time pass): so "the port scan
 * starts while discovery still waits" is a fact the test can see, not a race. Hosts 10.1.0.1-5
 * answer ARP at once, 10.1.0.7 only a retransmission (it comes up late), the other 14 addresses
 * never; live hosts answer port 22 open and 80 closed.
 */
class HandOffTest {
    private val now = AtomicLong()
    private val portProbes: MutableList<Pair<IpAddress, Long>> = java.util.Collections.synchronizedList(ArrayList())

    /** The ARP clock may not pass [atNanos] before [open] counts down (a port probe to one of [to] went out). */
    private inner class Gate(val atNanos: Long, val to: Set<String>) {
        val open = CountDownLatch(1)
        @Volatile var timedOut = false
    }

    private val routes = RouteResolver { d ->
        Route(d, "eth0", IpAddress.parse("10.1.0.254"), null, isLocal = false, interfaceMac = MacAddress.parse("02:00:00:00:00:01"))
    }

    private fun last(a: IpAddress) = (a.low and 0xff).toInt()

    private inner class Session(private val arp: Boolean, private val gates: List<Gate>) : ProbeSession {
        private val replies = PendingReplies()
        override val capacity = 100_000

        private fun fate(p: Probe): Verdict? {
            val host = last(IpAddress.ofBytes(p.address.address))
            return when {
                arp -> if (host in 1..5 || (host == 7 && p.attempt >= 1)) VirtualNet.ARP else null
                host in 1..5 || host == 7 -> if (p.port == 22) VirtualNet.OPEN else VirtualNet.CLOSED
                else -> null
            }
        }

        override fun send(probe: Probe): SendResult {
            val t = now.get()
            if (!arp) {
                val a = IpAddress.ofBytes(probe.address.address)
                portProbes += a to t
                gates.forEach { if (a.toString() in it.to) it.open.countDown() }
            }
            fate(probe)?.let { v -> replies.schedule(t + MS, probe, v) }
            return SendResult.SENT
        }

        override fun poll(timeoutNanos: Long, sink: ReplySink) {
            val deadline = now.get() + timeoutNanos.coerceAtMost(1_000 * MS)
            val target = minOf(replies.nextAt ?: Long.MAX_VALUE, deadline)
            if (arp) {
                for (g in gates) {
                    if (target >= g.atNanos && g.open.count > 0 && !g.open.await(5, TimeUnit.SECONDS)) { g.timedOut = true; g.open.countDown() }
                }
            }
            now.updateAndGet { maxOf(it, target) }
            replies.deliverDue(now.get(), sink)
        }

        override fun abandon(probe: Probe) = replies.abandon(probe)

        override fun close() {}
    }

    private fun module(name: String, arp: Boolean, gates: List<Gate>): ProbeModule = object : ProbeModule {
        override val name = name
        override val scanTypes: Set<ScanType> = if (arp) emptySet() else setOf(ScanType.SYN)
        override val discoveryProbes: Set<KClass<out DiscoveryProbe>> = if (arp) setOf(DiscoveryProbe.Arp::class) else emptySet()
        override val defaultDiscovery = if (arp) DefaultDiscovery(onLink = listOf(DiscoveryProbe.Arp)) else null
        override val silence = Verdict(PortState.FILTERED, "no-response", false)
        override fun discoveryPorts(probe: DiscoveryProbe) = listOf(0)
        override fun open(): ProbeSession = Session(arp, gates)
    }

    private fun scanWith(gates: List<Gate>): List<ScanEvent> = runBlocking {
        val modules = listOf(module("syn", arp = false, gates), module("arp", arp = true, gates))
        val plan = scan { targets("10.1.0.1-20"); ports("22,80"); syn(); dns(DnsResolution.NEVER); timing(T4) }
        val config = EngineConfig(modules = modules, clock = now::get, resolver = VirtualNet.NO_DNS, routes = routes, progressIntervalMillis = 0, stageProviders = emptyList())
        scanFlow(plan, config).toList()
    }

    @Test
    fun `live hosts' port scans start while discovery still waits for the absent and the late ones, and results are exact`() {
        val prompt = (1..5).map { "10.1.0.$it" }.toSet()
        val late = "10.1.0.7"
        // the absent addresses' first wait ends at 100 ms (T4's shortest timeout), their last at 200 ms or later
        val first = Gate(50 * MS, prompt)
        val second = Gate(150 * MS, setOf(late))
        val events = scanWith(listOf(first, second))

        assertTrue(!first.timedOut, "a prompt host's first port probe went out before the absent addresses' first wait ended")
        assertTrue(!second.timedOut, "the late host's first port probe went out before the absent addresses' last wait ended")
        val lateFirstProbe = portProbes.first { it.first.toString() == late }.second
        assertTrue(lateFirstProbe < 150 * MS, "late host's port scan at ${lateFirstProbe / MS} ms")

        val finished = events.filterIsInstance<ScanEvent.HostFinished>().map { it.result }
        assertEquals((1..20).map { "10.1.0.$it" }.toSet(), finished.map { it.host.address.toString() }.toSet())
        assertEquals(20, finished.size, "every address reported once")
        val up = finished.filter { it.status == HostStatus.UP }
        assertEquals(prompt + late, up.map { it.host.address.toString() }.toSet())
        for (h in up) assertEquals(mapOf(22 to PortState.OPEN, 80 to PortState.CLOSED), h.ports.associate { it.port to it.state }, h.host.address.toString())
        for (h in finished - up.toSet()) {
            assertEquals(HostStatus.DOWN, h.status, h.host.address.toString())
            assertTrue(h.ports.isEmpty(), "${h.host.address}: a down host has no ports")
        }
        assertEquals(up.size, events.count { it is ScanEvent.HostStarted }, "each up host started once")
        assertTrue(portProbes.none { last(it.first) !in 1..7 }, "no port probe to a host found down")
        val downAt = events.indexOfFirst { it is ScanEvent.HostFinished && it.result.status == HostStatus.DOWN }
        val lateDone = events.indexOfFirst { it is ScanEvent.HostFinished && it.result.host.address.toString() == late }
        assertTrue(lateDone in 0 until downAt, "the late host ($lateDone) is reported before discovery gives up on the absent ones ($downAt)")
    }

    @Test
    fun `with every address absent nothing is port scanned and all are down`() {
        val events = runBlocking {
            val modules = listOf(module("syn", arp = false, emptyList()), module("arp", arp = true, emptyList()))
            val plan = scan { targets("10.1.0.21-40"); ports("22,80"); syn(); dns(DnsResolution.NEVER); timing(T4) }
            scanFlow(plan, EngineConfig(modules = modules, clock = now::get, resolver = VirtualNet.NO_DNS, routes = routes, progressIntervalMillis = 0, stageProviders = emptyList())).toList()
        }
        val finished = events.filterIsInstance<ScanEvent.HostFinished>().map { it.result }
        assertEquals(20, finished.size)
        assertTrue(finished.all { it.status == HostStatus.DOWN && it.ports.isEmpty() })
        assertTrue(portProbes.isEmpty(), "no port probe")
        assertEquals(0, events.count { it is ScanEvent.HostStarted })
    }

    private companion object {
        const val MS = 1_000_000L
    }
}
