package dev.kmap.engine.internal

import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict

/** Where a probe loop gets its work: the next (host slot, port) to probe, or null when done. */
internal interface ProbeSource {
    /** The next probe to send (attempt 0), or null when there is no more work. */
    fun next(): Probe?
}

/** What a probe loop reports. All calls come from the loop's thread. */
internal interface ProbeListener {
    /** [probe] was answered. */
    fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long)

    /** [probe] and all its retransmissions went unanswered. */
    fun onSilence(probe: Probe)

    /** True when replies for [probe]'s host no longer matter (host timed out); it is not resent. */
    fun isAbandoned(probe: Probe): Boolean = false

    /** Called once per loop turn, for progress reports and host timeouts. */
    fun tick(nowNanos: Long) {}

    /** The loop ended: hand on anything still buffered. */
    fun drain() {}
}

/**
 * The probe loop, nmap's ultra_scan in four verbs: expire timed-out probes (and queue their
 * retransmissions), send new probes while timing allows, wait for replies until the next
 * deadline, process them. It keeps state only for probes in flight. Runs on one thread until the
 * work is done, [shouldStop] says so, or the thread is interrupted.
 */
internal class ProbeLoop(
    private val session: ProbeSession,
    private val timing: TimingController,
    private val clock: () -> Long,
    private val source: ProbeSource,
    private val listener: ProbeListener,
    private val shouldStop: () -> Boolean,
) {
    private val inFlightQueue = ArrayDeque<Probe>() // in send order; answered ones are skipped lazily
    private val resend = ArrayDeque<Probe>()
    private var inFlight = 0
    private var retransmissionsInFlight = 0
    private var sourceDone = false

    private val sink = ReplySink { probe, verdict -> process(probe, verdict) }

    /** Runs to completion; returns false when it stopped early (stop or interrupt). */
    fun run(): Boolean {
        try {
            while (true) {
                if (shouldStop() || Thread.currentThread().isInterrupted) return false
                val now = clock()
                expire(now)
                val sendDelay = sendNew()
                if (inFlight == 0 && resend.isEmpty() && sourceDone) return true
                listener.tick(clock())
                waitForReplies(sendDelay)
            }
        } finally {
            abandonAll()
        }
    }

    private fun expire(now: Long) {
        while (inFlightQueue.isNotEmpty()) {
            val head = inFlightQueue.first()
            if (head.done) { inFlightQueue.removeFirst(); continue }
            if (now - head.sentAtNanos < timing.timeoutNanos(head.attempt)) break
            inFlightQueue.removeFirst()
            finished(head)
            session.abandon(head)
            when {
                listener.isAbandoned(head) -> Unit
                timing.mayRetry(head) -> resend.addLast(head.retry())
                else -> listener.onSilence(head)
            }
        }
    }

    /** Sends what timing allows; returns how long until the next send may happen. */
    private fun sendNew(): Long {
        while (true) {
            val now = clock()
            val delay = timing.sendDelay(now, inFlight)
            if (delay != 0L) return delay
            val probe = nextProbe() ?: return TimingController.WAIT_FOR_REPLY
            if (listener.isAbandoned(probe)) continue
            probe.sentAtNanos = now
            if (session.send(probe) == SendResult.BUSY) {
                resend.addFirst(probe)
                timing.onResourceExhausted(inFlight)
                return if (inFlight == 0) BUSY_BACKOFF_NANOS else TimingController.WAIT_FOR_REPLY
            }
            timing.onSent(now)
            inFlightQueue.addLast(probe)
            inFlight++
            if (probe.attempt > 0) retransmissionsInFlight++
        }
    }

    private fun nextProbe(): Probe? {
        resend.removeFirstOrNull()?.let { return it }
        if (sourceDone) return null
        if (retransmissionsInFlight > 0 && timing.recoveringDrops) return null // losses first, then new load
        return source.next() ?: run { sourceDone = true; null }
    }

    private fun finished(probe: Probe) {
        probe.done = true
        inFlight--
        if (probe.attempt > 0) retransmissionsInFlight--
    }

    private fun waitForReplies(sendDelay: Long) {
        val now = clock()
        val untilTimeout = inFlightQueue.firstOrNull { !it.done }
            ?.let { (it.sentAtNanos + timing.timeoutNanos(it.attempt) - now).coerceAtLeast(0) }
            ?: TimingController.WAIT_FOR_REPLY
        val wait = minOf(untilTimeout, sendDelay, MAX_WAIT_NANOS)
        session.poll(wait, sink)
    }

    private fun process(probe: Probe, verdict: Verdict) {
        if (probe.done) return // late reply to an expired attempt
        finished(probe)
        val rtt = clock() - probe.sentAtNanos
        timing.onReply(probe.attempt, rtt, inFlight, probe.previousSentNanos, errorReply = verdict.state != PortState.OPEN)
        if (!listener.isAbandoned(probe)) listener.onReply(probe, verdict, rtt)
    }

    private fun abandonAll() {
        for (p in inFlightQueue) if (!p.done) { p.done = true; session.abandon(p) }
        inFlightQueue.clear()
        inFlight = 0
        retransmissionsInFlight = 0
    }

    private companion object {
        const val MAX_WAIT_NANOS = 100_000_000L // wake at least every 100 ms for stop requests and progress
        const val BUSY_BACKOFF_NANOS = 10_000_000L
    }
}
