package dev.kmap.engine.internal

import dev.kmap.dsl.Timing
import dev.kmap.dsl.TimingTemplate

/**
 * Every timing decision of a probe loop lives here: the RTT estimate and timeout, the
 * congestion window, `--max-rate` (token bucket), `--min-rate` (may exceed the window to keep up),
 * `--scan-delay`, parallelism bounds, and how many retransmissions a silent probe gets (nmap's
 * rule: one more than the highest attempt that ever got an answer, capped by `--max-retries`).
 */
internal class TimingController(timing: Timing, capacity: Int, startNanos: Long) {
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
    private val scanDelayNanos = timing.effectiveScanDelayMillis * MILLI
    private val maxRetries = timing.effectiveMaxRetries
    private val start = startNanos
    private var lastSendNanos = Long.MIN_VALUE / 2
    private var sent = 0L
    private var highestAnsweredAttempt = 0

    val timeoutNanos: Long get() = rtt.rtoNanos
    val smoothedRttNanos: Long get() = rtt.srttNanos
    val windowSize: Int get() = window.window
    val probesSent: Long get() = sent

    /** Retransmissions a probe that is still unanswered may get. */
    val allowedRetries: Int get() = minOf(maxRetries, highestAnsweredAttempt + 1)

    /**
     * 0 when one more probe may go out now with [inFlight] in flight; otherwise the nanoseconds to
     * wait for the rate or the scan delay, or [WAIT_FOR_REPLY] when the window is full.
     */
    fun sendDelay(nowNanos: Long, inFlight: Int): Long {
        if (scanDelayNanos > 0) {
            if (inFlight > 0) return WAIT_FOR_REPLY
            val wait = lastSendNanos + scanDelayNanos - nowNanos
            if (wait > 0) return wait
        }
        if (inFlight >= maxWindow) return WAIT_FOR_REPLY
        if (inFlight >= maxOf(window.window, minWindow) && !behindMinRate(nowNanos)) return WAIT_FOR_REPLY
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

    /** A reply to a probe sent at attempt [attempt] arrived after [rttNanos]; [inFlight] still out. */
    fun onReply(attempt: Int, rttNanos: Long, inFlight: Int) {
        if (attempt > highestAnsweredAttempt) highestAnsweredAttempt = attempt
        rtt.sample(rttNanos)
        if (attempt > 0) window.onLoss(inFlight) else window.onReply()
    }

    /** A send failed for lack of a resource with [inFlight] probes out. */
    fun onResourceExhausted(inFlight: Int) = window.capAt(inFlight)

    companion object {
        const val WAIT_FOR_REPLY: Long = Long.MAX_VALUE
        private const val MILLI = 1_000_000L
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
