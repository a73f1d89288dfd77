package dev.kmap.engine

import dev.kmap.dsl.Timing
import dev.kmap.dsl.TimingTemplate
import dev.kmap.engine.internal.CongestionWindow
import dev.kmap.engine.internal.RttEstimator
import dev.kmap.engine.internal.TimingController
import dev.kmap.engine.internal.TokenBucket
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

class TimingTest {
    private val ms = 1_000_000L

    @Test
    fun `rtt estimator follows Jacobson Karels and clamps the timeout`() {
        val e = RttEstimator(initialRtoNanos = 1000 * ms, minRtoNanos = 100 * ms, maxRtoNanos = 10_000 * ms)
        assertEquals(1000 * ms, e.rtoNanos, "before any sample: the initial timeout")
        e.sample(200 * ms)
        assertEquals(200 * ms, e.srttNanos)
        assertEquals(100 * ms, e.rttvarNanos)
        assertEquals(600 * ms, e.rtoNanos) // 200 + 4 * 100
        e.sample(100 * ms) // delta -100: srtt 187.5, rttvar 100 + (100 - 100)/4 = 100
        assertEquals(187_500_000, e.srttNanos)
        assertEquals(100 * ms, e.rttvarNanos)
        repeat(200) { e.sample(1 * ms) }
        assertEquals(100 * ms, e.rtoNanos, "clamped to the minimum")
        repeat(50) { e.sample(Long.MAX_VALUE) }
        assertEquals(10_000 * ms, e.rtoNanos, "huge samples neither overflow nor exceed the maximum")
        e.sample(-5)
        assertTrue(e.rtoNanos in 100 * ms..10_000 * ms)
    }

    @Test
    fun `congestion window slow start, avoidance and back-off`() {
        val w = CongestionWindow(initial = 10.0, minWindow = 1.0, maxWindow = 1000.0, initialSsthresh = 20.0)
        repeat(10) { w.onReply() }
        assertEquals(20, w.window, "slow start: +1 per reply")
        repeat(20) { w.onReply() }
        assertEquals(20, w.window, "avoidance: about +1 per window of replies")
        repeat(25) { w.onReply() }
        assertEquals(22, w.window)
        w.onLoss(inFlight = 40)
        assertEquals(20, w.window, "loss halves to inFlight/2")
        assertEquals(20.0, w.ssthresh)
        repeat(100) { w.onLoss(0) }
        assertEquals(1, w.window, "never below the minimum")
        repeat(100_000) { w.onReply() }
        assertTrue(w.window <= 1000)
    }

    @Test
    fun `token bucket paces to the rate`() {
        val b = TokenBucket(ratePerSecond = 1000.0, burst = 1.0, startNanos = 0)
        assertTrue(b.tryTake(0))
        assertEquals(false, b.tryTake(0))
        assertTrue(b.nanosUntilToken(0) in 999_999..1_000_001)
        assertTrue(b.tryTake(1 * ms))
        var taken = 0
        var t = 1 * ms
        while (t <= 1_001 * ms) { if (b.tryTake(t)) taken++; t += 100_000 }
        assertTrue(taken in 999..1001, "about 1000 tokens in a second, got $taken")
    }

    @Test
    fun `templates map to nmap's values and overrides win`() {
        val t4 = Timing(TimingTemplate.T4)
        assertEquals(6, t4.effectiveMaxRetries)
        assertEquals(1250, t4.effectiveMaxRttTimeoutMillis)
        assertEquals(500, t4.effectiveInitialRttTimeoutMillis)
        assertEquals(100, t4.effectiveMinRttTimeoutMillis)
        val t5 = Timing(TimingTemplate.T5, maxRetries = 0)
        assertEquals(0, t5.effectiveMaxRetries)
        assertEquals(900_000, t5.effectiveHostTimeoutMillis)
        assertEquals(1, Timing(TimingTemplate.T0).effectiveMaxParallelism)
        assertEquals(300_000, Timing(TimingTemplate.T0).effectiveScanDelayMillis)
    }

    @Test
    fun `controller limits in-flight probes by window, capacity and max parallelism`() {
        val c = TimingController(Timing(TimingTemplate.T4, maxParallelism = 5), capacity = 100, startNanos = 0)
        assertEquals(0, c.sendDelay(0, 4))
        assertEquals(TimingController.WAIT_FOR_REPLY, c.sendDelay(0, 5))
        val small = TimingController(Timing(TimingTemplate.T4), capacity = 3, startNanos = 0)
        assertEquals(TimingController.WAIT_FOR_REPLY, small.sendDelay(0, 3), "never more than the session can hold")
    }

    @Test
    fun `neighbour requests are paced by no congestion window, only by the limits`() {
        val arp = TimingController(Timing(TimingTemplate.T4), capacity = 100_000, startNanos = 0, profile = TimingProfile.NEIGHBOUR)
        assertEquals(0, arp.sendDelay(0, 3_999), "far past the initial window of 20")
        assertEquals(TimingController.WAIT_FOR_REPLY, arp.sendDelay(0, 4_000), "the template's maximum window still holds")
        val capped = TimingController(Timing(TimingTemplate.T4, maxParallelism = 5), capacity = 100, startNanos = 0, profile = TimingProfile.NEIGHBOUR)
        assertEquals(TimingController.WAIT_FOR_REPLY, capped.sendDelay(0, 5), "--max-parallelism holds")
        val serial = TimingController(Timing(TimingTemplate.T2), capacity = 100, startNanos = 0, profile = TimingProfile.NEIGHBOUR)
        assertEquals(TimingController.WAIT_FOR_REPLY, serial.sendDelay(0, 1), "-T2 is serial")
        val slow = TimingController(Timing(TimingTemplate.T4, maxRate = 10.0), capacity = 100, startNanos = 0, profile = TimingProfile.NEIGHBOUR)
        slow.onSent(0)
        assertTrue(slow.sendDelay(0, 1) > 0, "--max-rate holds")
        val tcp = TimingController(Timing(TimingTemplate.T4), capacity = 100_000, startNanos = 0)
        assertEquals(TimingController.WAIT_FOR_REPLY, tcp.sendDelay(0, 20), "a standard loop starts at nmap's window")
    }

    @Test
    fun `retries are capped by the highest answered attempt plus one`() {
        val c = TimingController(Timing(TimingTemplate.T3), capacity = 100, startNanos = 0)
        assertEquals(1, c.allowedRetries)
        c.onReply(attempt = 3, rttNanos = ms, inFlight = 0)
        assertEquals(4, c.allowedRetries)
        c.onReply(attempt = 20, rttNanos = ms, inFlight = 0)
        assertEquals(10, c.allowedRetries, "capped by --max-retries")
    }

    /** Feeds [c] one answer per send on a clock [step] apart: to a retransmission only ([dropAnswered], a proven drop) or to a first attempt ([answered]). */
    private inner class Answers(private val c: TimingController, private val step: Long = ms) {
        var now = 0L
            private set

        fun dropAnswered() { now += step; c.onSent(now); c.onReply(attempt = 1, rttNanos = ms, inFlight = 0, previousSentNanos = now - 1) }

        fun answered() { now += step; c.onSent(now); c.onReply(attempt = 0, rttNanos = ms, inFlight = 0) }
    }

    @Test
    fun `the scan delay rises as nmap's when many answers come only to retransmissions`() {
        val c = TimingController(Timing(TimingTemplate.T4), capacity = 100, startNanos = 0)
        val a = Answers(c)
        repeat(10) { a.dropAnswered() }
        assertEquals(0, c.scanDelayMillis, "10 drops are not enough")
        a.dropAnswered()
        assertEquals(5, c.scanDelayMillis, "the 11th at more than 40%: 5 ms for TCP")
        repeat(11) { a.dropAnswered() }
        assertEquals(10, c.scanDelayMillis, "doubled, and T4 caps TCP at 10 ms")
        repeat(11) { a.dropAnswered() }
        assertEquals(10, c.scanDelayMillis)
        assertEquals(10 * ms, c.sendDelay(a.now, 0), "the next send waits the delay")
        val few = TimingController(Timing(TimingTemplate.T4), capacity = 100, startNanos = 0)
        repeat(20) { few.onSent(it * ms); few.onReply(attempt = 0, rttNanos = ms, inFlight = 0) }
        repeat(11) { few.onSent(100 * ms + it); few.onReply(attempt = 1, rttNanos = ms, inFlight = 0, previousSentNanos = 100 * ms + it - 1) }
        assertEquals(0, few.scanDelayMillis, "11 drops among 31 answers is under 40%")
    }

    @Test
    fun `the scan delay comes down again once the drops are over, never below the one asked for`() {
        val c = TimingController(Timing(TimingTemplate.T4), capacity = 100, startNanos = 0)
        val a = Answers(c, step = 4 * ms) // 64 answers take longer than two timeouts (T4's least: 100 ms)
        repeat(11) { a.dropAnswered() }
        assertEquals(5, c.scanDelayMillis)
        repeat(63) { a.answered() }
        assertEquals(5, c.scanDelayMillis, "63 clean answers are not enough")
        // halved after every 64, and on below 1 ms (a sender's pace between the limiter's and full speed), to none below 50 us
        for (expected in listOf(2_500_000L, 1_250_000L, 625_000L, 312_500L, 156_250L, 78_125L, 0L)) {
            repeat(if (expected == 2_500_000L) 1 else 64) { a.answered() }
            assertEquals(expected, c.sendDelay(a.now, 0), "the delay after ${a.now / ms} ms")
        }
        assertTrue(c.rateLowered, "the scan still says its rate was lowered")
        // more than one drop per 10 clean answers keeps the delay where it is
        repeat(11) { a.dropAnswered() }
        assertEquals(5, c.scanDelayMillis)
        repeat(60) { a.answered() }
        repeat(8) { a.dropAnswered() }
        repeat(10) { a.answered() }
        assertEquals(5, c.scanDelayMillis, "8 drops among 78 answers: more than one per 10 clean ones")
        // a delay the user asked for is the floor
        val asked = TimingController(Timing(TimingTemplate.T4, scanDelayMillis = 3), capacity = 100, startNanos = 0)
        val b = Answers(asked, step = 10 * ms)
        repeat(11) { b.dropAnswered() }
        assertEquals(6, asked.scanDelayMillis)
        repeat(64 * 3) { b.answered() }
        assertEquals(3, asked.scanDelayMillis)
    }

    @Test
    fun `a new pace is judged by what was sent at it, over two timeouts`() {
        val c = TimingController(Timing(TimingTemplate.T4), capacity = 100, startNanos = 0)
        val a = Answers(c)
        repeat(11) { a.dropAnswered() }
        assertEquals(5, c.scanDelayMillis)
        // answers to probes sent before the change (at the pace that lost them) prove nothing of the new one
        repeat(300) { c.onSent(a.now + it * ms); c.onReply(attempt = 0, rttNanos = ms, inFlight = 0, sentNanos = 1) }
        assertEquals(5, c.scanDelayMillis, "old answers do not relax the delay")
        // 64 clean answers at the new pace within 64 ms: its drops would not have shown yet (a timeout, then the retransmission's answer)
        val quick = TimingController(Timing(TimingTemplate.T4), capacity = 100, startNanos = 0)
        val q = Answers(quick)
        repeat(11) { q.dropAnswered() }
        repeat(64) { q.answered() }
        assertEquals(5, quick.scanDelayMillis, "64 answers in 64 ms")
        repeat(200) { q.answered() }
        assertEquals(2, quick.scanDelayMillis, "relaxed once two timeouts have passed at the new pace")
    }

    @Test
    fun `rate overrides are validated`() {
        val bad = listOf<() -> Unit>(
            { Timing(minRate = Double.NaN) }, { Timing(maxRate = -1.0) }, { Timing(minRate = 10.0, maxRate = 5.0) },
            { Timing(maxRetries = -1) }, { Timing(hostTimeoutMillis = -1) }, { Timing(maxParallelism = 0) },
        )
        bad.forEach { f -> kotlin.test.assertFailsWith<dev.kmap.dsl.InvalidSpecException> { f() } }
    }
}
