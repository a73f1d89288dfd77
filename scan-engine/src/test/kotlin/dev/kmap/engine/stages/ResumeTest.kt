package dev.kmap.engine.stages

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.scan
import dev.kmap.engine.DefaultDiscovery
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.ResumeState
import dev.kmap.engine.ScanCheckpoint
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.VirtualNet
import dev.kmap.engine.VirtualNet.Companion.CLOSED
import dev.kmap.engine.VirtualNet.Companion.ECHO
import dev.kmap.engine.VirtualNet.Companion.MS
import dev.kmap.engine.VirtualNet.Companion.OPEN
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The resume seam: a scan stopped midway through [ScanControl], resumed from its last checkpoint,
 * plus what a sink stored before that checkpoint, equals an uninterrupted scan.
 */
class ResumeTest {
    // 160 hosts (a seeded random order), 4096 ports each: groups of 64 hosts; every fifth host is down,
    // some ports open, some silent (retried, then filtered)
    private val plan = scan {
        targets { add("10.0.0.0/24"); exclude("10.0.0.160-255"); randomize(seed = 7) }
        ports("1-4096"); syn(); dns(DnsResolution.NEVER); timing(T4) { maxRetries = 1 }
    }

    private fun fate(module: String, address: IpAddress, port: Int): Pair<Long, dev.kmap.engine.Verdict>? {
        val last = (address.low and 0xff).toInt()
        if (module == "echo") return if (last % 5 == 0) null else 1 * MS to ECHO
        return when {
            port % 1000 == 0 -> null
            (port + last) % 97 == 0 -> 1 * MS to OPEN
            else -> 1 * MS to CLOSED
        }
    }

    private fun config(net: VirtualNet, control: ScanControl = ScanControl(), resume: ResumeState? = null) = EngineConfig(
        modules = listOf(
            net.module("echo", discoveryProbes = setOf(DiscoveryProbe.IcmpEcho::class), defaultDiscovery = DefaultDiscovery(routed = listOf(DiscoveryProbe.IcmpEcho))),
            net.module("syn", scanTypes = setOf(ScanType.SYN)),
        ),
        clock = net.clock, resolver = VirtualNet.NO_DNS, progressIntervalMillis = 0, stageProviders = emptyList(),
        control = control, checkpointIntervalMillis = 200, resume = resume,
    )

    private fun comparable(hosts: List<HostResult>) = hosts.map { h ->
        "${h.host.address} ${h.status} ${h.reason} " + h.ports.joinToString(",") { "${it.port}/${it.state}/${it.reason}" }
    }.sorted()

    private fun run(config: EngineConfig, onEvent: (ScanEvent) -> Unit = {}): List<ScanEvent> = runBlocking {
        val events = ArrayList<ScanEvent>()
        scanFlow(plan, config).collect { events += it; onEvent(it) }
        events
    }

    @Test
    fun `a stopped scan resumed from its last checkpoint equals an uninterrupted one`() {
        val whole = run(config(VirtualNet { m, p -> fate(m, IpAddress.ofBytes(p.address.address), p.port) }))
        val wholeHosts = whole.filterIsInstance<ScanEvent.HostFinished>().map { it.result }
        assertEquals(160, wholeHosts.size)

        // stop in the middle of the second group, after 100 ports of a host in it are decided
        val control = ScanControl()
        var portsSeen = 0
        val first = run(config(VirtualNet { m, p -> fate(m, IpAddress.ofBytes(p.address.address), p.port) }, control)) { e ->
            if (e is ScanEvent.PortFound && ++portsSeen > 4096 * 60) control.stop()
        }
        assertTrue(first.filterIsInstance<ScanEvent.Finished>().single().stats.interrupted)
        val cpIndex = first.indexOfLast { it is ScanEvent.Checkpoint }
        val checkpoint = (first[cpIndex] as ScanEvent.Checkpoint).checkpoint
        assertEquals(checkpoint, ScanCheckpoint.fromJson(checkpoint.toJson()), "a sink can store it as JSON")
        val inFlight = checkpoint.hosts.filter { !it.finished }
        assertTrue(inFlight.isNotEmpty(), "stopped with hosts in flight: $checkpoint")

        // what a sink stored: every event before the checkpoint
        val stored = first.subList(0, cpIndex)
        val positionOf = inFlight.associate { it.host.address to it.position }
        val storedFinished = stored.filterIsInstance<ScanEvent.HostFinished>().map { it.result }
        val decided = HashMap<Long, MutableList<PortResult>>()
        stored.filterIsInstance<ScanEvent.PortFound>().forEach { e -> positionOf[e.host.address]?.let { decided.getOrPut(it, ::ArrayList) += e.result } }
        assertEquals(inFlight.sumOf { it.decided.tcp.size }, decided.values.sumOf { it.size }, "the checkpoint names exactly the decided ports stored")

        val net = VirtualNet { m, p -> fate(m, IpAddress.ofBytes(p.address.address), p.port) }
        val resumed = run(config(net, resume = ResumeState(checkpoint, decided)))
        val resumedHosts = resumed.filterIsInstance<ScanEvent.HostFinished>().map { it.result }
        assertEquals(comparable(wholeHosts), comparable(storedFinished + resumedHosts))
        // nothing is done twice: no finished host again, no decided port probed again
        assertEquals(emptySet(), storedFinished.map { it.host.address }.toSet() intersect resumedHosts.map { it.host.address }.toSet())
        val decidedKeys = inFlight.flatMap { h -> h.decided.tcp.map { h.host.address to it } }.toSet()
        assertEquals(0, net.sent.count { (m, a, p) -> m == "syn" && (a to p) in decidedKeys })
        assertEquals(0, net.sent.count { (m, a, _) -> m == "echo" && a in positionOf.keys }, "hosts in flight were up: not discovered again")
    }

    @Test
    fun `without the stored ports the resumed hosts lack exactly them (the sink merges)`() {
        val control = ScanControl()
        var portsSeen = 0
        val first = run(config(VirtualNet { m, p -> fate(m, IpAddress.ofBytes(p.address.address), p.port) }, control)) { e ->
            if (e is ScanEvent.PortFound && ++portsSeen > 4096 * 70) control.stop()
        }
        val checkpoint = first.filterIsInstance<ScanEvent.Checkpoint>().last().checkpoint
        val resumed = run(config(VirtualNet { m, p -> fate(m, IpAddress.ofBytes(p.address.address), p.port) }, resume = ResumeState(checkpoint)))
            .filterIsInstance<ScanEvent.HostFinished>().map { it.result }.associateBy { it.host.address }
        for (h in checkpoint.hosts.filter { !it.finished }) {
            assertEquals(4096 - h.decided.tcp.size, resumed.getValue(h.host.address).ports.size)
        }
    }
}
