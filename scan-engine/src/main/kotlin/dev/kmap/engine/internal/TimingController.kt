package dev.kmap.engine.internal

import dev.kmap.dsl.Timing
import dev.kmap.dsl.TimingTemplate
import dev.kmap.engine.Probe
import dev.kmap.engine.TimingProfile

/**
 * Every timing decision of a probe loop lives here: the RTT estimate and timeout, the
 * congestion window, `--max-rate` (token bucket), `--min-rate` (may exceed the window to keep up),
 * `--scan-delay`, parallelism bounds, and how many retransmissions a silent probe gets (nmap's
 * rule: one more than the highest attempt that ever got an answer, capped by `--max-retries`).
 *
 * With [TimingProfile.NEIGHBOUR] (ARP/NDP) no congestion window applies: an absent address's
 * silence says nothing about the link's load, and a window would make absent addresses wait their
 * timeouts in rounds of the window's size instead of all at once.
 *
 * The scan delay adapts as nmap's does: when more than 10 answers came only to retransmissions
 * sent after the last change, and they are more than 40% (30% below T4) of the answers since,
 * replies are being dropped, and the delay between sends is raised: to 50 ms for UDP ([udp]) or
 * 5 ms otherwise, then doubled, up to the maximum scan delay (for UDP 1.1 s, nmap's 1 s plus a
 * margin, unless `--max-scan-delay` says otherwise). Unlike nmap's, it comes down again (not for
 * a UDP target that sends errors, whose rate limit does not pass): after [RELAX_AFTER] answers
 * to probes sent since the last change, with at most one drop per [RELAX_SHARE] of them and two
 * timeouts after the change (a pace's drops show only after a timeout), it halves, and below
 * [MIN_PACED_DELAY_NANOS] it is back where it started. A burst of congestion costs a burst of
 * slowness, not the rest of the scan (nmap after one burst: 5 ms or more per probe to the end);
 * a peer that only takes so many probes a second (a SYN limiter, a listener shared with other
 * scanners) holds the delay near its pace, below 1 ms too, instead of full speed and its losses.
 *
 * UDP has one more problem: targets rate-limit the ICMP errors that mark closed ports (Linux:
 * a burst of 6, then one per second per source), so silence is not proof of an open|filtered
 * port once a target has sent errors. From the first error on, a UDP loop (1) gives silent probes
 * every retransmission `--max-retries` allows, (2) backs their timeout off exponentially (up to
 * the maximum RTT timeout), so retransmissions reach past the limiter's refill, (3) raises the
 * scan delay at every answer that only a retransmission got (a proven drop), not only after 10,
 * and (4) does not count attempts sent before a proven drop against the retry limit: they went
 * out at a pace already proven too fast. This ends: every proven drop decides a port. After
 * the first proven drop, (5) new probes wait while retransmissions are out ([recoveringDrops]).
 */
internal class TimingController(timing: Timing, capacity: Int, startNanos: Long, profile: TimingProfile = TimingProfile.STANDARD) {
    private val udp = profile == TimingProfile.ERROR_RATE_LIMITED

    /** [TimingProfile.NEIGHBOUR]: no congestion window, only the bounds ([maxWindow], rates, delays). */
    private val windowless = profile == TimingProfile.NEIGHBOUR

    private val rtt = RttEstimator(
        initialRtoNanos = timing.effectiveInitialRttTimeoutMillis * MILLI,
        minRtoNanos = timing.effectiveMinRttTimeoutMillis.coerceAtLeast(1) * MILLI,
        maxRtoNanos = maxOf(timing.effectiveMaxRttTimeoutMillis, timing.effectiveMinRttTimeoutMillis, 1) * MILLI,
    )
    private val maxWindow: Int = minOf(
        timing.effectiveMaxParallelism ?: DEFAULT_MAX_WINDOW.getValue(timing.template),
        capacity,
    ).coerceAtLeast(1)
    private val minWindow: Int = (timing.minParallelism ?: 1).coerceIn(1, maxWindow)
    private val window = CongestionWindow(
        initial = INITIAL_WINDOW.getValue(timing.template).toDouble(),
        minWindow = minWindow.toDouble(),
        maxWindow = maxWindow.toDouble(),
        initialSsthresh = INITIAL_SSTHRESH,
    )
    private val maxRateBucket = timing.maxRate?.let { TokenBucket(it, burst = maxOf(1.0, it / 100), startNanos) }
    private val minRate: Double? = timing.minRate
    private var scanDelayNanos = timing.effectiveScanDelayMillis * MILLI
    private val maxScanDelayNanos = maxOf(
        (if (udp) timing.maxScanDelayMillis ?: UDP_MAX_SCAN_DELAY_MILLIS else timing.effectiveMaxScanDelayMillis) * MILLI,
        scanDelayNanos,
    )
    private val dropThreshold = if (timing.template >= TimingTemplate.T4) 0.40 else 0.30
    private var lastDelayChangeNanos = NEVER
    private var lastDropProofNanos = NEVER // UDP: the latest send before an answer proved a drop
    private var droppedSinceChange = 0
    private var goodSinceChange = 0
    private var errorsSeen = false // a UDP target answered with an ICMP error: silence may be rate limiting
    private val maxRetries = timing.effectiveMaxRetries
    private val start = startNanos
    private var lastSendNanos = Long.MIN_VALUE / 2
    private var sent = 0L
    private var highestAnsweredAttempt = 0
    private var roundAnswers = 0
    private var roundDrops = 0
    private var usualDropFraction = -1.0 // the drop fraction of rounds without congestion (a moving average)
    private val initialScanDelayNanos = scanDelayNanos

    /** Probes that went unanswered through every attempt (and the re-probe). */
    var unanswered: Long = 0
        private set

    /** Silent probes sent once more at a lower rate ([recovered]: those that then got an answer). */
    var reprobes: Long = 0
        private set
    var recovered: Long = 0
        private set

    /** Whether this loop ever sent slower than it would have: a raised scan delay (even if it came down again), or re-probes. */
    val rateLowered: Boolean get() = delayRaised || reprobes > 0
    private var delayRaised = false

    /** Whether early loss detection (a later probe to the same host answered first) suits this loop: not for UDP, whose silence is often a rate limiter's. */
    val detectsLossEarly: Boolean get() = !udp

    val smoothedRttNanos: Long get() = rtt.srttNanos
    val windowSize: Int get() = window.window
    val scanDelayMillis: Long get() = scanDelayNanos / MILLI
    val probesSent: Long get() = sent

    /** How long attempt [attempt] of a probe waits for its answer. */
    fun timeoutNanos(attempt: Int): Long =
        if (udp && errorsSeen && attempt > 0) minOf(rtt.rtoNanos shl minOf(attempt, 20), maxOf(rtt.maxRtoNanos, rtt.rtoNanos)) else rtt.rtoNanos

    /** Retransmissions a probe that is still unanswered may get. */
    val allowedRetries: Int get() = if (udp && errorsSeen) maxRetries else minOf(maxRetries, highestAnsweredAttempt + 1)

    /** Whether a silent probe may be sent again at all (`--max-retries` above 0). */
    val retransmits: Boolean get() = maxRetries > 0

    /** Whether this loop has proven loss: some answer came only to a retransmission. */
    val lossProven: Boolean get() = highestAnsweredAttempt > 0

    /**
     * True once a UDP target has been caught dropping errors: the loop then sends no new probes
     * while retransmissions are out, so the limiter's tokens go to the losses (and prove them).
     */
    val recoveringDrops: Boolean get() = lastDropProofNanos > NEVER

    /**
     * Whether [probe], whose latest attempt went unanswered, may be sent again: within
     * [allowedRetries], not counting attempts sent before the latest proven drop (UDP).
     */
    fun mayRetry(probe: Probe): Boolean {
        if (probe.sentAtNanos <= lastDropProofNanos) {
            probe.uncountedAttempts = probe.attempt + 1
        } else if (probe.attempt > 0 && probe.previousSentNanos <= lastDropProofNanos) {
            probe.uncountedAttempts = probe.attempt
        }
        return probe.attempt - probe.uncountedAttempts < allowedRetries
    }

    /**
     * 0 when one more probe may go out now with [inFlight] in flight; otherwise the nanoseconds to
     * wait for the rate or the scan delay, or [WAIT_FOR_REPLY] when the window is full. Of
     * [inFlight], [silentInFlight] went to hosts that answered nothing yet: in the congestion window
     * they count up to half of it; the hard limit ([maxWindow], `--max-parallelism`) counts them all.
     */
    fun sendDelay(nowNanos: Long, inFlight: Int, silentInFlight: Int = 0): Long {
        if (scanDelayNanos > 0) {
            val wait = lastSendNanos + scanDelayNanos - nowNanos
            if (wait > 0) return wait
        }
        if (inFlight >= maxWindow) return WAIT_FOR_REPLY
        val cwnd = maxOf(window.window, minWindow)
        // probes to hosts that answer nothing take at most half the window (see ProbeLoop)
        val counted = inFlight - maxOf(0, silentInFlight - maxOf(1, cwnd / 2))
        if (!windowless && counted >= cwnd && !behindMinRate(nowNanos)) return WAIT_FOR_REPLY
        return maxRateBucket?.nanosUntilToken(nowNanos) ?: 0
    }

    private fun behindMinRate(nowNanos: Long): Boolean {
        val rate = minRate ?: return false
        return sent < (nowNanos - start) / 1e9 * rate
    }

    fun onSent(nowNanos: Long) {
        maxRateBucket?.tryTake(nowNanos)
        lastSendNanos = nowNanos
        sent++
    }

    /**
     * A reply to attempt [attempt] of a probe arrived (the attempt the reply answers, or the
     * probe's latest when the reply cannot tell); [rttNanos] is its round trip, or negative when
     * it is not known for sure (Karn: an answer that may be to an earlier attempt is not timed);
     * [inFlight] still out; the attempt before [attempt] was sent at [previousSentNanos] (0: unknown),
     * [attempt] itself at [sentNanos] (unknown: [Long.MAX_VALUE]; an answer to a send before the
     * scan delay's latest change says nothing of the new pace).
     *
     * Random loss is not congestion: a lost probe does not shrink the window by itself. Answers
     * and proven drops are counted in rounds of [ROUND] answers; the window halves only after a
     * round whose drop fraction rose [CONGESTION_MARGIN] above the usual (the moving average of
     * the rounds before), which is what an overflowing queue does and a lossy link does not.
     */
    fun onReply(attempt: Int, rttNanos: Long, inFlight: Int, previousSentNanos: Long = 0, errorReply: Boolean = false, sentNanos: Long = Long.MAX_VALUE) {
        if (attempt > highestAnsweredAttempt) highestAnsweredAttempt = attempt
        if (errorReply) errorsSeen = true
        if (rttNanos >= 0) rtt.sample(rttNanos)
        val dropped = attempt > 0 && previousSentNanos > maxOf(lastDelayChangeNanos, lastDropProofNanos)
        if (attempt > 0) roundDrops++ else window.onReply()
        if (++roundAnswers >= ROUND) endRound(inFlight)
        if (dropped) droppedSinceChange++ else if (sentNanos > lastDelayChangeNanos) goodSinceChange++
        if (udp && errorsSeen) {
            if (dropped) {
                boostScanDelay()
                lastDropProofNanos = lastSendNanos // even at the maximum delay: what went out before does not count
            }
        } else if (droppedSinceChange > 10 && droppedSinceChange > dropThreshold * (droppedSinceChange + goodSinceChange)) {
            boostScanDelay()
        } else if (scanDelayNanos > initialScanDelayNanos && goodSinceChange >= RELAX_AFTER && droppedSinceChange * RELAX_SHARE <= goodSinceChange &&
            lastSendNanos - lastDelayChangeNanos >= 2 * rtt.rtoNanos
        ) {
            relaxScanDelay()
        }
    }

    private fun endRound(inFlight: Int) {
        val fraction = roundDrops.toDouble() / roundAnswers
        when {
            usualDropFraction < 0 -> usualDropFraction = fraction
            fraction > usualDropFraction + CONGESTION_MARGIN -> window.onLoss(inFlight)
            else -> usualDropFraction += (fraction - usualDropFraction) / 16
        }
        roundAnswers = 0
        roundDrops = 0
    }

    /** A probe went unanswered through every attempt. */
    fun onSilence() {
        unanswered++
    }

    /** A silent probe is sent once more, at a lower rate, before it is called silent. */
    fun onReprobeSent() {
        reprobes++
    }

    /** A re-probe got an answer: the port would have been misreported without it. */
    fun onReprobeAnswered() {
        recovered++
    }

    private fun boostScanDelay() {
        val next = if (scanDelayNanos == 0L) (if (udp) 50 else 5) * MILLI else minOf(scanDelayNanos * 2, maxOf(scanDelayNanos, 1_000 * MILLI))
        droppedSinceChange = 0
        goodSinceChange = 0
        if (minOf(next, maxScanDelayNanos) <= scanDelayNanos) return // already at the maximum
        scanDelayNanos = minOf(next, maxScanDelayNanos)
        delayRaised = true
        lastDelayChangeNanos = lastSendNanos
    }

    /** The answers since the last change say the drops are over: half the delay (below [MIN_PACED_DELAY_NANOS]: the initial one). */
    private fun relaxScanDelay() {
        val next = scanDelayNanos / 2
        scanDelayNanos = if (next < MIN_PACED_DELAY_NANOS) initialScanDelayNanos else maxOf(next, initialScanDelayNanos)
        droppedSinceChange = 0
        goodSinceChange = 0
        lastDelayChangeNanos = lastSendNanos // what went out at the slower pace does not judge the new one
    }

    /** A send failed for lack of a resource with [inFlight] probes out. */
    fun onResourceExhausted(inFlight: Int) = window.capAt(inFlight)

    companion object {
        const val WAIT_FOR_REPLY: Long = Long.MAX_VALUE
        private const val NEVER = Long.MIN_VALUE / 2
        // nmap's 1 s plus a margin: Linux refills one ICMP error per second, and a send at exactly
        // that pace finds the bucket a hair short half the time
        private const val UDP_MAX_SCAN_DELAY_MILLIS = 1_100L
        private const val MILLI = 1_000_000L
        private const val ROUND = 256
        private const val RELAX_AFTER = 64
        private const val RELAX_SHARE = 10

        /** Below this the relaxed scan delay is back at the initial one (20000 probes a second). */
        private const val MIN_PACED_DELAY_NANOS = 50_000L
        private const val CONGESTION_MARGIN = 0.10
        private const val INITIAL_SSTHRESH = 75.0 // nmap's; an arbitrarily high start (RFC 5681) measured no faster here

        // nmap starts a group at a window of 10 and grows it; the caps are ours (kmap's loop is
        // cheap enough to keep thousands of probes in flight on a LAN).
        private val INITIAL_WINDOW = mapOf(
            TimingTemplate.T0 to 1, TimingTemplate.T1 to 1, TimingTemplate.T2 to 1,
            TimingTemplate.T3 to 10, TimingTemplate.T4 to 20, TimingTemplate.T5 to 40,
        )
        private val DEFAULT_MAX_WINDOW = mapOf(
            TimingTemplate.T0 to 1, TimingTemplate.T1 to 1, TimingTemplate.T2 to 1,
            TimingTemplate.T3 to 1_000, TimingTemplate.T4 to 4_000, TimingTemplate.T5 to 8_000,
        )
    }
}
