package dev.kmap.engine

import dev.kmap.dsl.Timing
import dev.kmap.dsl.TimingTemplate
import dev.kmap.engine.FakeNetwork.Companion.CLOSED
import dev.kmap.engine.FakeNetwork.Companion.MS
import dev.kmap.engine.FakeNetwork.Companion.OPEN
import dev.kmap.engine.internal.ProbeListener
import dev.kmap.engine.internal.ProbeLoop
import dev.kmap.engine.internal.ProbeSource
import dev.kmap.engine.internal.TimingController
import java.net.InetAddress
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The probe loop and its timing, against [FakeNetwork] in virtual time. */
class ProbeLoopTest {
    private val addr = InetAddress.getByAddress(byteArrayOf(10, 0, 0, 1))
    private val silence = Verdict(PortState.FILTERED, "no-response", false)

    private class Outcome(val verdicts: MutableMap<Int, Verdict> = HashMap(), var duplicates: Int = 0)

    private fun run(
        net: FakeNetwork,
        ports: IntRange,
        timing: Timing = Timing(TimingTemplate.T4),
        stopAfter: Int = Int.MAX_VALUE,
        udp: Boolean = false,
        profile: TimingProfile = TimingProfile.STANDARD,
        slotOf: (port: Int) -> Int = { 0 },
    ): Pair<Outcome, Boolean> {
        val out = Outcome()
        val it = ports.iterator()
        val source = object : ProbeSource {
            override fun next(): Probe? = if (it.hasNext()) it.next().let { Probe(addr, it, 0, slotOf(it), it) } else null
        }
        val listener = object : ProbeListener {
            override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) {
                if (out.verdicts.put(probe.port, verdict) != null) out.duplicates++
            }
            override fun onSilence(probe: Probe) {
                if (out.verdicts.put(probe.port, silence) != null) out.duplicates++
            }
        }
        val timingController = TimingController(timing, net.capacity, net.now, if (udp) TimingProfile.ERROR_RATE_LIMITED else profile)
        val completed = ProbeLoop(net, timingController, net.clock, source, listener) { out.verdicts.size >= stopAfter }.run()
        return out to completed
    }

    @Test
    fun `every port is decided exactly once on a clean network`() {
        val net = FakeNetwork { p -> 1 * MS to (if (p.port % 100 == 0) OPEN else CLOSED) }
        val (out, completed) = run(net, 1..5000)
        assertTrue(completed)
        assertEquals(5000, out.verdicts.size)
        assertEquals(0, out.duplicates)
        assertEquals(50, out.verdicts.values.count { it == OPEN })
        assertEquals(5000, net.sent, "no retransmissions without loss")
        assertTrue(net.maxInFlight > 100, "the window grew in slow start (max in flight ${net.maxInFlight})")
        assertTrue(net.now < 1_000 * MS, "5000 probes at 1 ms RTT finish well within a virtual second, took ${net.now / MS} ms")
    }

    @Test
    fun `replies that came while the loop's thread was away are taken before any probe is called lost`() {
        // answers in 1..50 ms; after each wait the thread is away 300 ms, past the 100 ms timeout
        val net = FakeNetwork { p -> (1 + p.port % 50) * MS to OPEN }
        net.awayAfterWait = 300 * MS
        val (out, completed) = run(net, 1..2000)
        assertTrue(completed)
        assertEquals(2000, out.verdicts.values.count { it == OPEN })
        assertEquals(0, out.duplicates)
        assertEquals(2000, net.sent, "no retransmission of a probe whose answer was waiting")
    }

    @Test
    fun `neighbour requests to a subnet of mostly absent addresses share two timeouts`() {
        // 254 addresses (one slot each), 60 answering in 1 ms: ARP's shape on a LAN
        val live = 20..79
        fun sweep(profile: TimingProfile): Pair<Outcome, FakeNetwork> {
            val net = FakeNetwork { p -> if (p.port in live) 1 * MS to OPEN else null }
            val (out, completed) = run(net, 1..254, profile = profile, slotOf = { it })
            assertTrue(completed)
            return out to net
        }
        val (out, net) = sweep(TimingProfile.NEIGHBOUR)
        assertEquals(60, out.verdicts.values.count { it == OPEN })
        assertEquals(194, out.verdicts.values.count { it == silence })
        // and one witness: the 175 absent addresses after the live ones, in a row, put the path in doubt (a real sweep is in random order)
        assertEquals(254 + 194 + 1, net.sent, "one request and one retry per absent address, no re-probe (it never answered)")
        assertEquals(254, net.maxInFlight, "every request at once")
        // the first round waits for the initial timeout (T4: 500 ms) only until the first answers set it to the 100 ms floor
        assertTrue(net.now <= 250 * MS, "two shared timeouts, took ${net.now / MS} ms")
        val (windowed, standard) = sweep(TimingProfile.STANDARD)
        assertEquals(out.verdicts, windowed.verdicts, "the same answers")
        // with a congestion window too, absent addresses do not wait in rounds: once some answered,
        // probes to addresses that never did count against at most half of the window
        assertTrue(standard.now <= 2 * net.now, "absent addresses held up the windowed sweep: ${standard.now / MS} ms")
    }

    @Test
    fun `the first pass is over once answers stop, long before the silent probes time out`() {
        fun firstPass(live: IntRange): Pair<Int, Long> {
            val net = FakeNetwork { p -> if (p.port in live) 1 * MS to OPEN else null }
            var calls = 0
            var at = -1L
            val next = (1..254).iterator()
            val source = object : ProbeSource {
                override fun next(): Probe? = if (next.hasNext()) next.next().let { Probe(addr, it, 0, it, it) } else null
            }
            val listener = object : ProbeListener {
                override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) {}
                override fun onSilence(probe: Probe) {}
                override fun onFirstPassOver() { calls++; at = net.now }
            }
            val timing = TimingController(Timing(TimingTemplate.T4), net.capacity, net.now, TimingProfile.NEIGHBOUR)
            assertTrue(ProbeLoop(net, timing, net.clock, source, listener) { false }.run())
            return calls to at
        }
        val (calls, at) = firstPass(20..79)
        assertEquals(1, calls, "once")
        // answers in 1 ms; quiet for the round trip plus the 5 ms reordering allowance: well before the 100 ms timeout
        assertTrue(at in 6 * MS..20 * MS, "first pass over at ${at / MS} ms")
        assertEquals(0 to -1L, firstPass(1..254), "every probe answered: the loop simply ends")
    }

    @Test
    fun `a silent port is retried and then reported with the module's silence verdict`() {
        val net = FakeNetwork { p -> if (p.port == 7) null else 1 * MS to CLOSED }
        val (out, _) = run(net, 1..10)
        assertEquals(silence, out.verdicts[7])
        assertEquals(9, out.verdicts.values.count { it == CLOSED })
        assertEquals(12, net.sent, "one retransmission (nothing ever needed a retry to be answered), then one re-probe at a lower rate")
        // nothing was ever lost (no answer came to a retransmission): the re-probe, the last send,
        // waits one timeout (T4: 100 ms at least), not two
        assertEquals(100 * MS, net.now - net.sendTimes.last(), "sends at ${net.sendTimes.map { it / MS }} ms, done at ${net.now / MS} ms")
    }

    @Test
    fun `where loss is proven, a silent port's re-probe waits twice the timeout`() {
        var lostOnce = false
        // port 3's first attempt is lost and its retransmission answered: loss is proven
        val net = FakeNetwork { p -> if (p.port == 7) null else if (p.port == 3 && !lostOnce) null.also { lostOnce = true } else 1 * MS to CLOSED }
        val (out, _) = run(net, 1..10)
        assertEquals(silence, out.verdicts[7])
        assertEquals(9, out.verdicts.values.count { it == CLOSED })
        assertEquals(200 * MS, net.now - net.sendTimes.last(), "sends at ${net.sendTimes.map { it / MS }} ms, done at ${net.now / MS} ms")
    }

    @Test
    fun `an address that answers nothing gets its retransmission but no re-probe (absence is not loss)`() {
        // one probe per host (a discovery sweep): host 7 is absent
        val net = FakeNetwork { p -> if (p.port == 7) null else 1 * MS to CLOSED }
        val (out, _) = run(net, 1..50, slotOf = { it })
        assertEquals(silence, out.verdicts[7])
        assertEquals(49, out.verdicts.values.count { it == CLOSED })
        assertEquals(51, net.sent, "one retransmission for the absent address, no re-probe")
    }

    /**
     * A one-port sweep of 20000 live hosts (one slot each, T4, 2000 probes a second, answers in
     * 1 ms), each attempt lost when [lostAt] says so at its virtual send time and host. Asserts it
     * completes with every host open; returns its outcome and the hosts that got a re-probe.
     */
    private fun sweepOfLiveHosts(lostAt: (nowNanos: Long, host: Int) -> Boolean): Pair<Outcome, Set<Int>> {
        val reprobed = HashSet<Int>()
        lateinit var net: FakeNetwork
        net = FakeNetwork { p ->
            if (p.reprobe) reprobed += p.port
            if (lostAt(net.now, p.port)) null else 1 * MS to OPEN
        }
        val (out, completed) = run(net, 1..20_000, Timing(TimingTemplate.T4, maxRate = 2000.0), slotOf = { it })
        assertTrue(completed)
        assertEquals(20_000, out.verdicts.values.count { it == OPEN }, "silent: ${out.verdicts.filterValues { it != OPEN }.keys.take(10)}")
        return out to reprobed
    }

    @Test
    fun `a one-port sweep of live hosts gets every host right through a burst of loss`() {
        // one probe per host at 2000 a second; 5% random loss proves loss, and for 350 ms a queue
        // overflows and drops everything (an outage: waited out, see below)
        val rnd = Random(11)
        val (out, _) = sweepOfLiveHosts { now, _ -> now in 2_000 * MS until 2_350 * MS || rnd.nextDouble() < 0.05 }
        assertEquals(0, out.duplicates)
    }

    @Test
    fun `hosts lost before the loop had proven any loss are re-probed once it has`() {
        // no loss until a 250 ms burst that drops every other host's probes: those probed early in
        // it lose both attempts (the cap is two while no retransmission was answered) and run out
        // of attempts before a retransmission is answered and proves the loss (the other hosts'
        // answers show the path carries: this is loss, not an outage)
        val (_, reprobed) = sweepOfLiveHosts { now, host -> now in 5_000 * MS until 5_250 * MS && host % 2 == 0 }
        assertTrue(reprobed.isNotEmpty(), "the hosts lost in the burst were re-probed")
    }

    @Test
    fun `hosts lost at the start of a scan, before many answers, are re-probed too`() {
        // a 250 ms burst 300 ms in that drops every other host's probes: about 150 hosts lose both
        // attempts while fewer than 1000 have answered (one silence per 32 answers would allow
        // about 20 of them a re-probe)
        val (_, reprobed) = sweepOfLiveHosts { now, host -> now in 300 * MS until 550 * MS && host % 2 == 0 }
        assertTrue(reprobed.size > 20, "the hosts lost in the burst were re-probed: ${reprobed.size}")
    }

    @Test
    fun `re-probes lost too go again in later rounds while their round is answered`() {
        // the burst above drops every other host's probes, and a quarter of the hosts' first
        // re-probes are lost too (a peer still flooded by other scanners when this loop's re-probes
        // go): before, those hosts came out silent; their round's other re-probes were answered
        val rounds = HashMap<Int, Int>()
        lateinit var net: FakeNetwork
        net = FakeNetwork { p ->
            if (p.reprobe) rounds.merge(p.port, p.reprobeRound, ::maxOf)
            val lost = if (p.reprobe) p.reprobeRound == 1 && p.port % 4 == 0 else net.now in 5_000 * MS until 5_250 * MS && p.port % 2 == 0
            if (lost) null else 1 * MS to OPEN
        }
        val (out, completed) = run(net, 1..20_000, Timing(TimingTemplate.T4, maxRate = 2000.0), slotOf = { it })
        assertTrue(completed)
        assertEquals(20_000, out.verdicts.values.count { it == OPEN }, "silent: ${out.verdicts.filterValues { it != OPEN }.keys.take(10)}")
        assertTrue(rounds.values.count { it == 2 } > 20, "a second round: ${rounds.values.groupingBy { it }.eachCount()}")
        assertEquals(emptyList(), rounds.filterValues { it > 2 }.keys.toList(), "the second round was answered: no third")
    }

    @Test
    fun `a round of re-probes to firewalled ports with one lost port among them costs a few more, not a second pass`() {
        // one host: 100 firewalled ports, port 50 lost on every attempt of the first pass (its
        // re-probe is answered), loss proven by retransmissions of ports 100..109
        val rounds = HashMap<Int, Int>()
        val net = FakeNetwork { p ->
            if (p.reprobe) rounds.merge(p.port, p.reprobeRound, ::maxOf)
            when {
                p.port > 900 -> null
                p.port == 50 && !p.reprobe -> null
                p.port in 100..109 && p.attempt == 0 -> null
                else -> 1 * MS to CLOSED
            }
        }
        val (out, completed) = run(net, 1..1000)
        assertTrue(completed)
        assertEquals(CLOSED, out.verdicts[50], "recovered by its re-probe")
        assertEquals(100, out.verdicts.values.count { it == silence })
        val second = rounds.values.count { it == 2 }
        assertTrue(second in 1..4, "one answer buys at most 4 more (ProbeLoop.REPROBE_AGAIN_PER_ANSWER): $second")
        assertTrue(rounds.values.all { it <= 2 }, "no third round: its second went unanswered")
    }

    @Test
    fun `an outage longer than every attempt of a sweep costs it no host`() {
        // 30000 live hosts, one probe each at up to 20000 a second (T3, answers in 1 ms); for 1.5 s
        // the path drops everything (a receiver's full queue, a stalled peer): the first attempt and
        // the retransmission of thousands of hosts fall into it, too many for re-probes of rare silence
        lateinit var net: FakeNetwork
        net = FakeNetwork { if (net.now in 500 * MS until 2_000 * MS) null else 1 * MS to OPEN }
        val (out, completed) = run(net, 1..30_000, Timing(TimingTemplate.T3, maxRate = 20_000.0), slotOf = { it })
        assertTrue(completed)
        assertEquals(0, out.duplicates)
        assertEquals(30_000, out.verdicts.values.count { it == OPEN }, "silent: ${out.verdicts.count { it.value != OPEN }}")
        // it waits for the path, not past it: the outage, the sweep at its rate, and a few round trips
        assertTrue(net.now < 4_000 * MS, "took ${net.now / MS} ms of virtual time")
    }

    @Test
    fun `with --max-retries 0 an outage is not waited out - one attempt each, whatever happens`() {
        lateinit var net: FakeNetwork
        net = FakeNetwork { if (net.now in 500 * MS until 2_000 * MS) null else 1 * MS to OPEN }
        val (out, completed) = run(net, 1..30_000, Timing(TimingTemplate.T3, maxRate = 20_000.0, maxRetries = 0), slotOf = { it })
        assertTrue(completed)
        assertTrue(out.verdicts.values.count { it == silence } > 1000, "the hosts of the outage are silent")
        assertEquals(30_000, net.sent, "no retransmission, no witness")
    }

    @Test
    fun `a path that never comes back is waited for a bounded time, then what is left is silent`() {
        // the only host answers its first 500 ports, then nothing more (it went down)
        lateinit var net: FakeNetwork
        var dead = false
        net = FakeNetwork { p -> if (p.port > 500) dead = true; if (dead) null else 1 * MS to CLOSED }
        val (out, completed) = run(net, 1..2000, Timing(TimingTemplate.T4))
        assertTrue(completed)
        assertEquals(500, out.verdicts.values.count { it == CLOSED })
        assertEquals(1500, out.verdicts.values.count { it == silence })
        assertTrue(net.now < 10_000 * MS, "took ${net.now / MS} ms of virtual time")
    }

    @Test
    fun `a host that answers nothing after one that answered everything is silence, not an outage`() {
        // host 0's 1000 ports answer; then host 1's 1000 are all dropped (a firewall): the path is
        // fine, which one probe to a port that answered shows at once; no wait for a path
        val other = InetAddress.getByAddress(byteArrayOf(10, 0, 0, 2))
        val net = FakeNetwork { p -> if (p.address == other) null else 1 * MS to CLOSED }
        val it = (1..2000).iterator()
        val out = HashMap<Int, Verdict>()
        val source = object : ProbeSource {
            override fun next(): Probe? = if (!it.hasNext()) null else it.next().let { i ->
                if (i <= 1000) Probe(addr, i, 0, 0, i) else Probe(other, i - 1000, 0, 1, i)
            }
        }
        val listener = object : ProbeListener {
            override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) { out[probe.portIndex] = verdict }
            override fun onSilence(probe: Probe) { out[probe.portIndex] = silence }
        }
        val timing = TimingController(Timing(TimingTemplate.T4), net.capacity, net.now)
        assertTrue(ProbeLoop(net, timing, net.clock, source, listener) { false }.run())
        assertEquals(1000, out.values.count { it == CLOSED })
        assertEquals(1000, out.values.count { it == silence })
        assertTrue(net.now < 1_000 * MS, "took ${net.now / MS} ms of virtual time")
    }

    @Test
    fun `a lossy subnet of mostly absent addresses re-probes no absent address`() {
        // 4000 addresses, 200 live with 20% loss per attempt: loss is proven, but silence is common
        val rnd = Random(11)
        val reprobed = HashSet<Int>()
        val net = FakeNetwork { p ->
            if (p.reprobe) reprobed += p.port
            if (p.port % 20 != 0 || rnd.nextDouble() < 0.2) null else 1 * MS to OPEN
        }
        val (out, completed) = run(net, 1..4000, slotOf = { it })
        assertTrue(completed)
        assertEquals(3800, out.verdicts.values.count { it == silence })
        assertEquals(emptySet(), reprobed.filter { it % 20 != 0 }.toSet(), "no absent address re-probed")
    }

    @Test
    fun `a burst of congestion slows the scan for a while, not to its end`() {
        // 20000 ports at 1 ms; for the first 80 ms everything is dropped (a queue overflowing), then the
        // network is clean again and the retransmissions are answered. The drops raise the scan
        // delay (T4: to 10 ms at most); nmap's would stay there, 10 ms per probe for the rest of
        // the scan (without coming down: 100 s of virtual time; with: 2 s, 1 s of it the max rate's)
        lateinit var net: FakeNetwork
        net = FakeNetwork { p -> if (net.now < 80 * MS) null else 1 * MS to (if (p.port % 100 == 0) OPEN else CLOSED) }
        val (out, completed) = run(net, 1..20_000, Timing(TimingTemplate.T4, maxRate = 20_000.0))
        assertTrue(completed)
        assertEquals(20_000, out.verdicts.size)
        assertEquals(200, out.verdicts.values.count { it == OPEN })
        assertEquals(19_800, out.verdicts.values.count { it == CLOSED })
        assertTrue(net.now < 3_000 * MS, "took ${net.now / MS} ms of virtual time")
    }

    @Test
    fun `random loss of first probes is recovered by retransmissions`() {
        val rnd = Random(42)
        val net = FakeNetwork { p -> if (p.attempt == 0 && rnd.nextDouble() < 0.3) null else (1 + rnd.nextLong(3)) * MS to CLOSED }
        val (out, completed) = run(net, 1..3000)
        assertTrue(completed)
        assertEquals(3000, out.verdicts.size)
        assertTrue(out.verdicts.values.all { it == CLOSED }, "every dropped probe was eventually answered")
        assertEquals(0, out.duplicates)
        assertTrue(net.sent in 3600..4200, "about 30% resent: ${net.sent}")
    }

    @Test
    fun `ports that need several retries raise the retry cap as answers show they help`() {
        val rnd = Random(7)
        // attempts 0 and 1 are lost half the time each; a port silent on every attempt stays silent
        val net = FakeNetwork { p ->
            when {
                p.port == 999 -> null
                p.attempt < 2 && rnd.nextBoolean() -> null
                else -> 1 * MS to CLOSED
            }
        }
        val (out, _) = run(net, 1..999)
        assertEquals(silence, out.verdicts[999])
        val answered = out.verdicts.values.count { it == CLOSED }
        assertTrue(answered >= 990, "once an attempt-2 answer is seen, later ports get 3 tries: $answered of 998")
    }

    @Test
    fun `the timeout adapts to a slow network instead of retransmitting everything`() {
        val net = FakeNetwork { 400 * MS to CLOSED } // slower than T4's 500 ms initial timeout allows for after variance
        val (out, _) = run(net, 1..500, Timing(TimingTemplate.T3))
        assertEquals(500, out.verdicts.size)
        assertTrue(out.verdicts.values.all { it == CLOSED })
        assertTrue(net.sent < 550, "few spurious retransmissions: sent ${net.sent}")
    }

    @Test
    fun `max rate paces the probes`() {
        val net = FakeNetwork { 1 * MS to CLOSED }
        run(net, 1..500, Timing(TimingTemplate.T4, maxRate = 1000.0))
        val span = net.sendTimes.last() - net.sendTimes.first()
        assertTrue(span >= 480 * MS, "500 probes at 1000/s span about half a second, got ${span / MS} ms")
    }

    @Test
    fun `min rate keeps probes going past a small window`() {
        val slow = FakeNetwork { 50 * MS to CLOSED }
        run(slow, 1..200, Timing(TimingTemplate.T4, maxParallelism = 1))
        val serial = slow.now
        val fast = FakeNetwork { 50 * MS to CLOSED }
        run(fast, 1..200, Timing(TimingTemplate.T4, minParallelism = 1, minRate = 1000.0))
        assertTrue(fast.now < serial / 5, "min-rate ${fast.now / MS} ms vs serial ${serial / MS} ms")
    }

    @Test
    fun `scan delay serialises probes`() {
        val net = FakeNetwork { 1 * MS to CLOSED }
        run(net, 1..20, Timing(TimingTemplate.T4, scanDelayMillis = 100))
        assertEquals(1, net.maxInFlight)
        assertTrue(net.now >= 19 * 100 * MS)
    }

    @Test
    fun `scan delay spaces sends without waiting for replies`() {
        val net = FakeNetwork { 300 * MS to CLOSED }
        run(net, 1..20, Timing(TimingTemplate.T4, scanDelayMillis = 100))
        assertTrue(net.maxInFlight in 3..4, "a 300 ms RTT at one send per 100 ms keeps 3 in flight, saw ${net.maxInFlight}")
        net.sendTimes.zipWithNext().forEach { (a, b) -> assertTrue(b - a >= 100 * MS, "sends ${a / MS} and ${b / MS} ms") }
        assertTrue(net.now < 20 * 300 * MS, "spacing, not serialisation: ${net.now / MS} ms")
    }

    /**
     * A Linux-like UDP target: closed ports answer ICMP port unreachable through a token bucket
     * (burst 6, then one per [intervalMs]), a few are open (answered, never limited), and
     * [silent] are open|filtered.
     */
    private class RateLimitedUdpTarget(val intervalMs: Long, val open: Set<Int>, val silent: Set<Int>) {
        private var tokens = 6.0
        private var last = 0L
        val unreachable = Verdict(PortState.CLOSED, "port-unreach", true)
        val answered = Verdict(PortState.OPEN, "udp-response", true)
        fun fate(now: Long, port: Int): Pair<Long, Verdict>? = when (port) {
            in open -> 1 * MS to answered
            in silent -> null
            else -> {
                tokens = minOf(6.0, tokens + (now - last).toDouble() / (intervalMs * MS))
                last = now
                if (tokens >= 1.0) { tokens -= 1.0; 1 * MS to unreachable } else null
            }
        }
    }

    @Test
    fun `UDP against an ICMP rate limit slows down and retransmits until every closed port is found`() {
        val target = RateLimitedUdpTarget(intervalMs = 1_000, open = setOf(53, 161), silent = setOf(5, 162))
        lateinit var net: FakeNetwork
        net = FakeNetwork { p -> target.fate(net.now, p.port) }
        val (out, completed) = run(net, 1..200, Timing(TimingTemplate.T4), udp = true)
        assertTrue(completed)
        val expected = (1..200).associateWith {
            when (it) { 53, 161 -> PortState.OPEN; 5, 162 -> PortState.FILTERED; else -> PortState.CLOSED }
        }
        val wrong = expected.filter { (port, state) -> out.verdicts[port]?.state != state }.keys
        assertEquals(emptySet(), wrong, "ports misjudged despite the limit")
        // 196 errors at one per second after a burst of 6: it cannot take less than 190 s
        assertTrue(net.now in 190_000 * MS..400_000 * MS, "paced near the limiter's rate: ${net.now / MS} ms")
    }

    @Test
    fun `UDP gives silent ports every retransmission --max-retries allows once the target sends errors`() {
        val net = FakeNetwork { p -> if (p.port % 10 == 0) null else 1 * MS to Verdict(PortState.CLOSED, "port-unreach", true) }
        val (out, _) = run(net, 1..100, Timing(TimingTemplate.T4, maxRetries = 2), udp = true)
        assertEquals(10, out.verdicts.values.count { it.state == PortState.FILTERED })
        assertEquals(90 + 10 * 3, net.sent, "each silent port: the first send and --max-retries 2 retransmissions")
    }

    @Test
    fun `a session out of resources is back-pressure, not failure`() {
        val net = FakeNetwork(capacityLimit = 7) { 2 * MS to CLOSED }
        val (out, completed) = run(net, 1..1000, Timing(TimingTemplate.T5))
        assertTrue(completed)
        assertEquals(1000, out.verdicts.size)
        assertTrue(net.maxInFlight <= 7)
    }

    @Test
    fun `a stop request ends the loop early and keeps what was decided`() {
        val net = FakeNetwork { 1 * MS to CLOSED }
        val (out, completed) = run(net, 1..10_000, stopAfter = 300)
        assertEquals(false, completed)
        assertTrue(out.verdicts.size in 300 until 10_000)
    }

    @Test
    fun `random loss is not congestion - 6 percent of probes lost, every port still right and the pace kept`() {
        val rnd = Random(7)
        // about 3% loss each way: 6% of probes go unanswered, whichever attempt they are
        val net = FakeNetwork { p -> if (rnd.nextDouble() < 0.06) null else 200_000L to (if (p.port % 1000 == 0) OPEN else CLOSED) }
        val (out, completed) = run(net, 1..65535, Timing(TimingTemplate.T4, minRate = null))
        assertTrue(completed)
        assertEquals(65535, out.verdicts.size)
        assertEquals(65, out.verdicts.values.count { it == OPEN }, "every open port found")
        assertEquals(0, out.verdicts.values.count { it == silence }, "no port called silent")
        assertTrue(net.now < 5_000 * MS, "65535 ports at 6% loss took ${net.now / MS} ms of virtual time, ${net.sent} sent, max in flight ${net.maxInFlight}")
    }
}
