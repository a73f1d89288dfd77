package dev.kmap.engine.stages

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.Timing
import dev.kmap.dsl.TimingTemplate
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostResolver
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.engine.VirtualNet
import dev.kmap.engine.VirtualNet.Companion.CLOSED
import dev.kmap.engine.VirtualNet.Companion.MS
import dev.kmap.engine.internal.LoopRunner
import dev.kmap.engine.internal.LoopShares
import dev.kmap.engine.internal.ProbeListener
import dev.kmap.engine.internal.TimingController
import dev.kmap.engine.scan
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import java.net.Inet6Address
import java.net.InetAddress
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** The runner's parts on their own: limits split over loops, list scan, -6 resolution (the Java future: scan-report's KmapAsyncTest). */
class RunnerPartsTest {
    /**
     * A module with [sessions] parallel sessions on real time: each answers every probe after 1 ms;
     * [inFlight] counts probes in flight across all of them, [maxInFlight] its peak.
     */
    private class Parallel(private val sessions: Int) : ProbeModule {
        val inFlight = AtomicInteger()
        val maxInFlight = AtomicInteger()
        val sendTimes = java.util.concurrent.ConcurrentLinkedQueue<Long>()
        val closed = AtomicInteger()
        val opened = AtomicInteger()
        override val name = "parallel"
        override val scanTypes = setOf(ScanType.CONNECT)
        override val discoveryProbes = emptySet<kotlin.reflect.KClass<out dev.kmap.dsl.DiscoveryProbe>>()
        override val silence = Verdict(PortState.FILTERED, "no-response", false)
        override val concurrentSessions = sessions
        override fun open(): ProbeSession = object : ProbeSession {
            init { opened.incrementAndGet() }
            private val pending = ArrayDeque<Pair<Long, Probe>>()
            override val capacity = 100_000
            override fun send(probe: Probe): SendResult {
                val n = inFlight.incrementAndGet()
                maxInFlight.accumulateAndGet(n, ::maxOf)
                sendTimes += System.nanoTime()
                pending.addLast(System.nanoTime() + 1 * MS to probe)
                return SendResult.SENT
            }
            override fun poll(timeoutNanos: Long, sink: ReplySink) {
                val due = pending.firstOrNull()?.first ?: (System.nanoTime() + minOf(timeoutNanos, 5 * MS))
                val wait = minOf(timeoutNanos, due - System.nanoTime())
                if (wait > 0) Thread.sleep(wait / 1_000_000, (wait % 1_000_000).toInt())
                while (pending.isNotEmpty() && pending.first().first <= System.nanoTime()) {
                    inFlight.decrementAndGet()
                    sink.reply(pending.removeFirst().second, CLOSED)
                }
            }
            override fun abandon(probe: Probe) { if (pending.removeIf { it.second === probe }) inFlight.decrementAndGet() }
            override fun close() { closed.incrementAndGet() }
        }
    }

    private fun config(m: ProbeModule) = EngineConfig(modules = listOf(m), resolver = VirtualNet.NO_DNS, progressIntervalMillis = 0, stageProviders = emptyList())

    @Test
    fun `max-parallelism holds across parallel loops`() = runBlocking {
        val m = Parallel(4)
        val plan = scan { targets("10.0.0.1-4"); ports("1-4000"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); timing(T4) { maxParallelism = 6 } }
        val report = scan(plan, config(m))
        assertEquals(16_000, report.hosts.sumOf { it.ports.size })
        assertTrue(m.maxInFlight.get() <= 6, "at most 6 in flight across loops, saw ${m.maxInFlight.get()}")
        assertTrue(m.maxInFlight.get() >= 4, "the loops did run in parallel (saw ${m.maxInFlight.get()})")
    }

    @Test
    fun `the serial cap of T2 and a scan delay hold across loops`() = runBlocking {
        val m = Parallel(4)
        val plan = scan { targets("10.0.0.1"); ports("1-30"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); timing(T4) { maxParallelism = 1 } }
        scan(plan, config(m))
        assertEquals(1, m.maxInFlight.get())
        val delayed = Parallel(4)
        val started = System.nanoTime()
        scan(scan { targets("10.0.0.1-2"); ports("1-5000"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); timing(T5) { scanDelay = kotlin.time.Duration.parse("1ms") } }.let {
            it.copy(ports = dev.kmap.dsl.PortSet.parse("1-20"))
        }, config(delayed))
        val times = delayed.sendTimes.sorted()
        val gaps = times.zipWithNext { a, b -> b - a }
        assertTrue(gaps.all { it >= 900_000 }, "one probe per scan delay across the scan, smallest gap ${gaps.minOrNull()} ns")
        assertTrue(System.nanoTime() - started < 5_000_000_000)
    }

    @Test
    fun `overlapping runs of one module never share a session`() {
        val m = Parallel(1)
        val loops = LoopRunner(Timing(TimingTemplate.T4), System::nanoTime) { false }
        val target = InetAddress.getByAddress(byteArrayOf(10, 0, 0, 1))
        val answered = AtomicInteger()
        val both = java.util.concurrent.CountDownLatch(2) // each run holds its session until the other has one: they overlap
        val listener = object : ProbeListener {
            override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) { answered.incrementAndGet() }
            override fun onSilence(probe: Probe) {}
            override fun tick(nowNanos: Long) { both.countDown(); both.await(5, java.util.concurrent.TimeUnit.SECONDS) }
        }
        fun run() = loops.run(m, 2_000, { listener }) { i -> Probe(target, i.toInt() + 1, 0, 0, i.toInt()) }
        val other = Thread { run() }.apply { start() }
        assertTrue(run())
        other.join()
        assertEquals(4_000, answered.get(), "every probe of both runs answered once (a shared session would lose or cross replies)")
        assertEquals(2, m.opened.get(), "a second session for the run that overlapped")
        assertTrue(run()) // (the latch is open now)
        assertEquals(2, m.opened.get(), "sessions are reused once free")
        loops.close()
        assertEquals(2, m.closed.get())
    }

    @Test
    fun `a session opened ahead is the one the next run uses, and a failed or unclaimed one costs nothing`() {
        val target = InetAddress.getByAddress(byteArrayOf(10, 0, 0, 1))
        val listener = object : ProbeListener {
            override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) {}
            override fun onSilence(probe: Probe) {}
        }
        fun LoopRunner.probe(m: ProbeModule) = run(m, 10, { listener }) { i -> Probe(target, i.toInt() + 1, 0, 0, i.toInt()) }

        val m = Parallel(1)
        val loops = LoopRunner(Timing(TimingTemplate.T4), System::nanoTime) { false }
        val prepared = AtomicInteger()
        loops.prewarm(m) { prepared.incrementAndGet() }
        loops.prewarm(m) { prepared.incrementAndGet() } // one already opening: nothing more
        assertTrue(loops.probe(m))
        assertEquals(1, m.opened.get(), "the run took the session opened ahead")
        assertEquals(1, prepared.get())
        loops.prewarm(m) { prepared.incrementAndGet() } // one idle: nothing to do
        assertTrue(loops.probe(m))
        assertEquals(1, m.opened.get())
        loops.close()
        assertEquals(1, m.closed.get())

        // opening ahead fails: the run opens its own session
        val flaky = object : ProbeModule by m {
            val calls = AtomicInteger()
            override fun open(): ProbeSession = if (calls.incrementAndGet() == 1) error("no capture device yet") else m.open()
        }
        val again = LoopRunner(Timing(TimingTemplate.T4), System::nanoTime) { false }
        again.prewarm(flaky)
        assertTrue(again.probe(flaky))
        assertEquals(2, flaky.calls.get())
        again.close()

        // the scan ends before anyone claims it: closed, whether it was still opening or not
        val slow = Parallel(1)
        val gate = java.util.concurrent.CountDownLatch(1)
        val ended = LoopRunner(Timing(TimingTemplate.T4), System::nanoTime) { false }
        ended.prewarm(slow) { gate.await() }
        ended.close()
        gate.countDown()
        val deadline = System.nanoTime() + 5_000_000_000
        while (slow.closed.get() == 0 && System.nanoTime() < deadline) Thread.sleep(1)
        assertEquals(1, slow.opened.get())
        assertEquals(1, slow.closed.get(), "a session opened ahead for a scan that ended is closed")
    }

    @Test
    fun `shares add up to the plan's limits`() {
        val t = Timing(TimingTemplate.T4, maxParallelism = 10, minParallelism = 5, maxRate = 1000.0, minRate = 100.0)
        val shares = LoopShares.of(t, concurrentSessions = 4, probes = 1_000_000)
        assertEquals(4, shares.size)
        assertEquals(10, shares.sumOf { it.maxParallelism!! })
        assertEquals(5, shares.sumOf { it.minParallelism ?: 0 })
        assertEquals(1000.0, shares.sumOf { it.maxRate!! }, 1e-9)
        assertEquals(100.0, shares.sumOf { it.minRate!! }, 1e-9)
        assertEquals(2, LoopShares.of(Timing(TimingTemplate.T4, maxParallelism = 2), 4, 1_000_000).size, "no more loops than probes in flight allowed")
        assertEquals(1, LoopShares.of(Timing(TimingTemplate.T2), 4, 1_000_000).size, "-T2: serial")
        assertEquals(1, LoopShares.of(Timing(TimingTemplate.T4, scanDelayMillis = 5), 4, 1_000_000).size, "a scan delay: one loop")
        assertEquals(4, LoopShares.of(Timing(TimingTemplate.T4), 4, 1_000_000).size)
        assertEquals(1, LoopShares.of(Timing(TimingTemplate.T4), 4, 100).size, "small runs: one loop")
    }

    @Test
    fun `list scan lists every target with reverse names and sends nothing`() = runBlocking {
        val net = VirtualNet { _, _ -> error("a list scan sent a probe") }
        val resolver = object : HostResolver {
            override fun resolve(name: String, preferIpv6: Boolean) = if (name == "db.example") listOf(InetAddress.getByName("10.0.0.9")) else emptyList()
            override fun reverse(address: InetAddress) = "host-${address.address.last()}.example"
        }
        val plan = scan { targets("10.0.0.1-3", "db.example", "nowhere.example"); listOnly() }
        val events = scanFlow(plan, EngineConfig(modules = listOf(net.module("m", scanTypes = setOf(ScanType.SYN))), resolver = resolver, progressIntervalMillis = 0, stageProviders = emptyList())).toList()
        val hosts = events.filterIsInstance<ScanEvent.HostFinished>().map { it.result }
        assertEquals(listOf("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.9", "0.0.0.0"), hosts.map { it.host.address.toString() })
        assertTrue(hosts.all { it.status == HostStatus.UNKNOWN && it.ports.isEmpty() })
        assertEquals(listOf("host-1.example", "host-2.example", "host-3.example", "host-9.example", null), hosts.map { it.reverseName })
        assertEquals(0, net.sent.size)
        assertEquals(0, net.opened.get(), "not even a session was opened")
        assertEquals(listOf(ScanEvent.TargetError("nowhere.example", "Failed to resolve \"nowhere.example\".")), events.filterIsInstance<ScanEvent.TargetError>())
        val noDns = scanFlow(scan { targets("10.0.0.1"); listOnly(); dns(DnsResolution.NEVER) }, EngineConfig(resolver = resolver, progressIntervalMillis = 0, stageProviders = emptyList())).toList()
        assertEquals(null, noDns.filterIsInstance<ScanEvent.HostFinished>().single().result.reverseName)
        assertFailsWith<dev.kmap.dsl.InvalidSpecException> { scan { targets("10.0.0.1"); listOnly(); syn() } }
    }

    @Test
    fun `-6 never scans a name over IPv4, and localhost resolves to the IPv6 loopback`() = runBlocking {
        val v4only = object : HostResolver {
            override fun resolve(name: String, preferIpv6: Boolean) = listOf(InetAddress.getByName("127.0.0.1"))
            override fun reverse(address: InetAddress): String? = null
        }
        val net = VirtualNet { _, _ -> 1 * MS to CLOSED }
        val plan = scan { targets("v4.example"); ports("22"); syn(); skipDiscovery(); ipv6(); dns(DnsResolution.NEVER) }
        val events = scanFlow(plan, EngineConfig(modules = listOf(net.module("m", scanTypes = setOf(ScanType.SYN))), resolver = v4only, clock = net.clock, progressIntervalMillis = 0, stageProviders = emptyList())).toList()
        assertEquals(listOf(ScanEvent.TargetError("v4.example", "Failed to resolve \"v4.example\" to an IPv6 address (-6).")), events.filterIsInstance<ScanEvent.TargetError>())
        assertEquals("failed to resolve \"v4.example\" to an IPv6 address", events.filterIsInstance<ScanEvent.HostFinished>().single().result.error)
        assertEquals(0, net.sent.size)
        val local = HostResolver.System.resolve("localhost", preferIpv6 = true)
        assertTrue(local.isNotEmpty() && local.all { it is Inet6Address && it.isLoopbackAddress }, "localhost with -6: $local")
    }

    @Test
    fun `--host-timeout cuts a silent host short, the answering hosts of its group finish whole`() = runBlocking {
        val net = VirtualNet { _, p -> if (p.address.address[3].toInt() == 3) null else 1 * MS to CLOSED }
        val m = net.module("fake-syn", scanTypes = setOf(ScanType.SYN))
        val config = EngineConfig(modules = listOf(m), clock = net.clock, resolver = VirtualNet.NO_DNS, progressIntervalMillis = 0, stageProviders = emptyList())
        val plan = scan { targets("10.0.0.1-3"); ports("1-50"); syn(); skipDiscovery(); dns(DnsResolution.NEVER); timing(T4) { hostTimeout = kotlin.time.Duration.parse("120ms") } }
        val hosts = scan(plan, config).hosts.associateBy { it.host.address.toString() }
        assertTrue(hosts.getValue("10.0.0.3").timedOut, "the silent host was cut short at ${net.now / MS} ms")
        for (a in listOf("10.0.0.1", "10.0.0.2")) {
            assertEquals(false, hosts.getValue(a).timedOut, "$a: ${hosts.getValue(a).ports.size} ports at ${net.now / MS} ms")
            assertEquals((1..50).toList(), hosts.getValue(a).ports.map { it.port }, a)
        }
        assertTrue(net.now < 1_000 * MS, "the scan ended by itself: ${net.now / MS} ms")
    }

    @Test
    fun `a host that answers nothing does not hold up the answering hosts of its loop`() = runBlocking {
        val lastSend = HashMap<Int, Long>() // host's last octet -> virtual time of its last probe
        lateinit var net: VirtualNet
        net = VirtualNet { _, p ->
            val host = p.address.address[3].toInt()
            // the witness of the end (host 2's 500 retransmissions unanswered in a row: is the path alive?) is not a probe of host 3's
            if (!p.witness) lastSend[host] = net.now
            if (host == 2) null else 1 * MS to CLOSED
        }
        val m = net.module("fake-syn", scanTypes = setOf(ScanType.SYN))
        val config = EngineConfig(modules = listOf(m), clock = net.clock, resolver = VirtualNet.NO_DNS, progressIntervalMillis = 0, stageProviders = emptyList())
        val plan = scan { targets("10.0.0.1-3"); ports("1-500"); syn(); skipDiscovery(); dns(DnsResolution.NEVER); timing(T4) }
        val hosts = scan(plan, config).hosts.associateBy { it.host.address.toString() }
        for (a in listOf(1, 3)) {
            assertEquals(List(500) { PortState.CLOSED }, hosts.getValue("10.0.0.$a").ports.map { it.state }, "10.0.0.$a")
            // 500 ports at a 1 ms round trip: sent well within the silent host's first timeout, not at its pace
            assertTrue(lastSend.getValue(a) < 100 * MS, "the last probe to 10.0.0.$a went out at ${lastSend.getValue(a) / MS} ms")
        }
        assertEquals(List(500) { PortState.FILTERED }, hosts.getValue("10.0.0.2").ports.map { it.state })
        // the window's rule itself: probes to silent hosts count up to half the window; the hard limit counts them all
        val t = TimingController(Timing(TimingTemplate.T4, maxParallelism = 300), 100_000, 0)
        assertEquals(TimingController.WAIT_FOR_REPLY, t.sendDelay(0, 20), "the initial window (20) is full")
        assertEquals(0L, t.sendDelay(0, 20, silentInFlight = 20), "20 silent probes count as 10")
        assertEquals(TimingController.WAIT_FOR_REPLY, t.sendDelay(0, 30, silentInFlight = 20), "10 answering + 10 counted silent")
        assertEquals(TimingController.WAIT_FOR_REPLY, t.sendDelay(0, 300, silentInFlight = 300), "--max-parallelism counts every probe")
    }
}
