package dev.kmap.engine.stages

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PlanField
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanStage
import dev.kmap.engine.ScanUnavailableException
import dev.kmap.engine.ScriptOutput
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import dev.kmap.engine.StageProvider
import dev.kmap.engine.VirtualNet
import dev.kmap.engine.VirtualNet.Companion.CLOSED
import dev.kmap.engine.VirtualNet.Companion.MS
import dev.kmap.engine.VirtualNet.Companion.OPEN
import dev.kmap.engine.scan
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Stages added by a test, on the virtual network: no change to the engine. */
class StagesTest {
    private val net = VirtualNet { _, p -> 1 * MS to (if (p.port % 10 == 0) OPEN else CLOSED) }
    private val syn = net.module("fake-syn", scanTypes = setOf(ScanType.SYN))
    private fun config() = EngineConfig(
        modules = listOf(syn), clock = net.clock, resolver = VirtualNet.NO_DNS, progressIntervalMillis = 0,
        stageProviders = emptyList(),
    )

    private val plan = scan { targets("10.0.0.1-3"); ports("1-40"); syn(); skipDiscovery(); dns(DnsResolution.NEVER); script("fake") }

    /** A "banner" stage: names every open port's service after its port, reported as it goes. */
    private val banner = object : ScanStage {
        override val name = "banner"
        override val phase = StagePhase.SERVICE_DETECTION
        override suspend fun run(context: StageContext) {
            for (h in context.hosts) {
                for (p in h.ports.filter { it.state == PortState.OPEN }) h.updatePort(p.protocol, p.port) { it.copy(service = "banner-${it.port}") }
                h.done()
            }
        }
    }

    /** A fake scripts stage: records the services it sees, adds a host script. */
    private inner class FakeScripts : ScanStage {
        val seen = ArrayList<String>()
        override val name = "scripts"
        override val phase = StagePhase.SCRIPTS
        override val runs = setOf(PlanField.SCRIPTS)
        override suspend fun run(context: StageContext) {
            for (h in context.hosts) {
                h.ports.filter { it.state == PortState.OPEN }.forEach { seen += "${h.host.address}:${it.service}" }
                h.addHostScript(ScriptOutput("fake", "${h.ports.size} ports"))
                h.done()
            }
        }
    }

    @Test
    fun `a banner stage added by a test runs between the port scan and scripts`() = runBlocking {
        val scripts = FakeScripts()
        // registered in the "wrong" order: the phase places them
        val events = scanFlow(plan, config().withStages(scripts, banner)).toList()
        assertEquals(12, scripts.seen.size)
        assertTrue(scripts.seen.all { it.substringAfter(':').startsWith("banner-") }, "scripts saw the banner stage's work: ${scripts.seen}")
        val hosts = events.filterIsInstance<ScanEvent.HostFinished>().map { it.result }
        assertEquals(3, hosts.size)
        for (h in hosts) {
            assertEquals(HostStatus.UP, h.status)
            assertEquals((1..40).toList(), h.ports.map { it.port })
            assertEquals(listOf("banner-10", "banner-20", "banner-30", "banner-40"), h.ports.filter { it.state == PortState.OPEN }.map { it.service })
            assertEquals(listOf(ScriptOutput("fake", "40 ports")), h.hostScripts)
        }
        // each update streams before its host is reported, after the port was found
        val first = hosts.first().host
        val i = events.indexOfFirst { it is ScanEvent.PortFound && it.host == first && it.result.port == 10 }
        val u = events.indexOfFirst { it is ScanEvent.PortUpdated && it.host == first && it.result.port == 10 }
        val f = events.indexOfFirst { it is ScanEvent.HostFinished && it.result.host == first }
        assertTrue(i in 0 until u && u < f, "PortFound $i < PortUpdated $u < HostFinished $f")
        assertEquals("banner-10", (events[u] as ScanEvent.PortUpdated).result.service)
    }

    @Test
    fun `without later stages hosts stream as their ports are decided`() = runBlocking {
        val events = scanFlow(scan { targets("10.0.0.1-3"); ports("1-40"); syn(); skipDiscovery(); dns(DnsResolution.NEVER) }, config()).toList()
        val lastPortFound = events.indexOfLast { it is ScanEvent.PortFound }
        val firstFinished = events.indexOfFirst { it is ScanEvent.HostFinished }
        assertTrue(firstFinished < lastPortFound, "a host is reported while others are still being scanned")
    }

    @Test
    fun `a plan field no stage runs is refused with one line`() {
        val e = assertFailsWith<ScanUnavailableException> { runBlocking { scan(plan, config()) } }
        assertEquals("plan field scripts (--script) is set, but no stage runs it here (put kscript-runner on the class path or register its ScriptStage)", e.message)
        val sv = scan { targets("10.0.0.1"); ports("1"); syn(); serviceDetection() }
        assertEquals(
            "plan field serviceDetection (-sV) is set, but no stage runs it here",
            assertFailsWith<ScanUnavailableException> { runBlocking { scan(sv, config()) } }.message,
        )
        val os = scan { targets("10.0.0.1"); ports("1"); syn(); osDetection() }
        assertEquals("plan field osDetection (-O) is set, but no stage runs it here", assertFailsWith<ScanUnavailableException> { runBlocking { scan(os, config()) } }.message)
    }

    @Test
    fun `a stage provider on the class path runs a field, unless a registered stage does`() = runBlocking {
        val provided = FakeScripts()
        val provider = object : StageProvider {
            override fun stagesFor(plan: ScanPlan) = if (plan.scripts.isEmpty()) emptyList() else listOf(provided)
        }
        scan(plan, config().copy(stageProviders = listOf(provider)))
        assertEquals(12, provided.seen.size)
        val registered = FakeScripts()
        provided.seen.clear()
        scan(plan, config().copy(stageProviders = listOf(provider)).withStages(registered))
        assertEquals(12, registered.seen.size)
        assertEquals(0, provided.seen.size, "the registered stage wins")
    }

    @Test
    fun `EngineConfig is a data class - copy keeps every field`() {
        val c = config().withStages(banner).copy(progressIntervalMillis = 5)
        assertEquals(config().stages + banner, c.stages)
        assertEquals(listOf(syn), c.modules)
        assertEquals(5, c.progressIntervalMillis)
        assertEquals(c, c.copy())
    }
}
