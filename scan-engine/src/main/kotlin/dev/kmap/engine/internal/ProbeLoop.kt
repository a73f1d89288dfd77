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
    /** [probe] was answered; [rttNanos] is the round trip, negative when unknown (no packet exchange, or an ambiguous answer). */
    fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long)

    /** [probe] and all its retransmissions went unanswered. */
    fun onSilence(probe: Probe)

    /** True when replies for [probe]'s host no longer matter (host timed out); it is not resent. */
    fun isAbandoned(probe: Probe): Boolean = false

    /**
     * Called once, when every probe has been sent and its first pass is over: the first one went
     * unanswered past its timeout, or answers stopped (none for a round trip plus the reordering
     * allowance since the latest send or answer). What is answered by now is what answers at once;
     * the rest waits for timeouts and retransmissions.
     */
    fun onFirstPassOver() {}

    /** Called once per loop turn, for progress reports and host timeouts. */
    fun tick(nowNanos: Long) {}

    /** The loop ended: hand on anything still buffered. */
    fun drain() {}
}

/**
 * The probe loop, nmap's ultra_scan in four verbs: expire timed-out probes (and queue their
 * retransmissions; replies already waiting are taken first), send new probes while timing
 * allows, wait for replies until the next deadline, process them. It keeps state only for
 * probes in flight. Runs on one thread until the work is done, [shouldStop] says so, or the
 * thread is interrupted.
 *
 * Loss is found early where the timing allows it ([TimingController.detectsLossEarly]): a probe
 * still unanswered when a probe sent to the same host [reorderNanos] later has been answered, and
 * its round trip is long past, is lost and goes again at once, without waiting out the timeout
 * (RACK's rule, RFC 8985): random loss then costs a retransmission, not a stalled window.
 *
 * A host that answers nothing (a firewall dropping everything, an absent address) does not hold
 * up the others of its loop: once some host of the loop has answered, probes to hosts that have
 * not count against the congestion window only up to half of it (the hard limits, such as
 * `--max-parallelism`, count every probe). Otherwise their probes, each out until its timeout,
 * would fill the window while the answering hosts' probes come back in a round trip.
 *
 * Completeness: a probe whose every attempt went unanswered while its host answers others is
 * sent once more at a lower rate ([REPROBE_SPACING_NANOS] apart, with a longer wait: [timeoutOf]) before it is
 * called silent, when silence is rare in this loop (at most [REPROBE_FREE] or one in
 * [REPROBE_SHARE] of the answers); a firewall that drops everything costs no second pass. So is
 * one to a host that answered nothing, when by the time the re-probes go the loop has proven loss
 * and such silence is rare in it ([mayReprobe], [dropReprobesOfSilentHosts]): the lost hosts of a
 * one-port sweep, not the absent ones of a subnet. Re-probes can be lost too (a peer that only
 * takes so many SYNs a second, still flooded by other scanners when this loop's re-probes go):
 * a silent re-probe goes again in a next round, up to [MAX_REPROBE_ROUNDS], when re-probes of its
 * own round were answered, at most [REPROBE_AGAIN_PER_ANSWER] per such answer (a round of
 * firewalled ports with one lost port among them costs a few packets, not a second pass), after
 * a pause that doubles each round ([REPROBE_BACKOFF_NANOS], as TCP backs off its SYNs) so that
 * the next round meets a calmer path.
 *
 * Outages: a path can stop carrying answers for longer than every attempt of a probe takes (a
 * peer's full accept queue, a stalled middlebox, a descheduled target), and then thousands of
 * probes of a sweep go silent at once, too many for re-probes of rare silence. So when a probe
 * times out and nothing sent after it was answered, though the loop's answers so far make that
 * unlikely (at [OUTAGE_EXPECTED] answers expected among the sends since), the path is in doubt:
 * the loop sends nothing new and asks a witness, a copy of the latest probe that was answered.
 * Its answer in one round trip says the path carries and the silence is real (a firewalled host
 * after an answering one): the probes held meanwhile are judged as always. Its silence confirms
 * an outage: the witness goes again each timeout, probes that time out are held, and the first
 * answer releases them all as retransmissions that do not count against the retry cap (they went
 * into a dead path). After [OUTAGE_LIMIT_NANOS] without an answer the loop stops waiting (a host
 * that went down) and judges what it held as always. Not for UDP (silence there is often a rate
 * limiter's) nor with `--max-retries 0` (one attempt each, whatever happens).
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
    private val reprobes = ArrayDeque<Probe>() // silent probes waiting for their slower last attempt
    private var inFlight = 0
    private var silentInFlight = 0 // of inFlight: sent to a host that had not answered (Probe.toSilentHost)
    private var retransmissionsInFlight = 0
    private var sourceDone = false
    private var firstPassOver = false
    private var lastSendNanos = Long.MIN_VALUE / 2
    private var lastAnswerNanos = Long.MIN_VALUE / 2
    private var answered = 0L
    private var silencesReprobed = 0L // re-probes of hosts that answered other probes
    private var awaitingJudgement = 0L // re-probes of hosts that answered nothing (dropReprobesOfSilentHosts)
    private var lastReprobeNanos = Long.MIN_VALUE / 2
    private var reprobesJudged = false // dropReprobesOfSilentHosts ran: every other probe was decided
    private val reprobesAnsweredIn = LongArray(MAX_REPROBE_ROUNDS + 1) // per re-probe round: answers
    private val reprobesQueuedIn = LongArray(MAX_REPROBE_ROUNDS + 1) // per re-probe round: re-probes queued

    // the path's state (see the class KDoc: outages)
    private var sendSeq = 0L
    private var lastAnsweredSeq = -1L // Probe.sendSeq of the latest-sent attempt answered over the path
    private var latestAnswered: Probe? = null // the witness's model
    private var baseSeq = 0L // silence is judged against the answers and sends since this send
    private var pathAnswered = 0L // answers over the path since baseSeq was set
    private val held = ArrayDeque<Probe>() // timed out while the path is in doubt
    private var doubtSinceNanos = NO_DOUBT
    private var doubtSeq = 0L // the first held probe's send: an answer to a later send clears the doubt
    private var outageConfirmed = false // a witness went unanswered
    private var witness: Probe? = null

    /** Per host slot: when the latest probe answered (unambiguously) was sent. */
    private var answeredSentAt = LongArray(64) { Long.MIN_VALUE }

    private val sink = object : ReplySink {
        override fun reply(probe: Probe, verdict: Verdict) = process(probe, verdict, ReplySink.UNKNOWN_ATTEMPT)
        override fun reply(probe: Probe, verdict: Verdict, answeredAttempt: Int) = process(probe, verdict, answeredAttempt)
    }

    /** Runs to completion; returns false when it stopped early (stop or interrupt). */
    fun run(): Boolean {
        try {
            while (true) {
                if (shouldStop() || Thread.currentThread().isInterrupted) return false
                val now = nanosOf(clock)
                expire(now)
                if (answersStopped(now)) firstPassOver()
                val sendDelay = sendNew()
                if (inFlight == 0 && resend.isEmpty() && sourceDone && reprobes.isEmpty() && held.isEmpty()) return true
                listener.tick(nanosOf(clock))
                waitForReplies(sendDelay)
            }
        } finally {
            abandonAll()
        }
    }

    /**
     * How long [p]'s attempt waits for its answer: a re-probe twice the timeout where the loop has
     * proven loss (an answer may come late after a burst), once otherwise (a network that lost
     * nothing: at least T4's 100 ms, thousands of round trips, for the scan's last packets).
     */
    private fun timeoutOf(p: Probe): Long =
        (if (p.reprobe && timing.lossProven) 2 * timing.timeoutNanos(p.attempt) else timing.timeoutNanos(p.attempt)) +
            (if (p.waitsForNeighbour) NEIGHBOUR_ALLOWANCE_NANOS else 0)

    private fun timedOut(p: Probe, now: Long): Boolean = now - p.sentAtNanos >= timeoutOf(p)

    // The loops below run once per probe but their methods once per turn: each loop's body is a
    // method of its own, which the JIT compiles after a few hundred probes; a body inline would
    // run interpreted until the loop itself had counted tens of thousands of turns (a /16 sweep
    // ran most of its probes through the interpreter).

    private fun expire(now: Long) {
        // the replies that came while this thread was away (descheduled on a busy machine, a GC
        // pause) are taken before any probe is called lost: else they would be retransmitted
        if (headTimedOut(now)) session.poll(0, sink)
        while (inFlightQueue.isNotEmpty() && expireHead(now)) Unit
        if (doubtSinceNanos != NO_DOUBT) checkWitness(now)
    }

    /** Whether the oldest unanswered probe is past its timeout (answered ones at the head are dropped). */
    private fun headTimedOut(now: Long): Boolean {
        while (inFlightQueue.isNotEmpty() && inFlightQueue.first().done) inFlightQueue.removeFirst()
        val head = inFlightQueue.firstOrNull() ?: return false
        return timedOut(head, now)
    }

    /** Takes the head of [inFlightQueue] out when it is answered or its time is over; false when it stays. */
    private fun expireHead(now: Long): Boolean {
        val head = inFlightQueue.first()
        if (head.done) { inFlightQueue.removeFirst(); return true }
        if (!timedOut(head, now) && !lostEarly(head, now)) return false
        inFlightQueue.removeFirst()
        finished(head)
        session.abandon(head)
        if (sourceDone) firstPassOver()
        if (!listener.isAbandoned(head) && (doubtSinceNanos != NO_DOUBT || suspectsOutage(head))) hold(head, now) else judge(head)
        return true
    }

    /** [p] went unanswered: it goes again, waits for its re-probe, or is silent. */
    private fun judge(p: Probe) {
        when {
            listener.isAbandoned(p) -> Unit
            p.reprobe -> if (mayReprobeAgain(p)) reprobeAgain(p) else silent(p)
            timing.mayRetry(p) -> resend.addLast(p.retry())
            timing.detectsLossEarly && mayReprobe(p) -> reprobes.addLast(p.retry().also { it.reprobeRound = 1 })
            else -> silent(p)
        }
    }

    /** Whether silent re-probe [p] goes again: its round had answers, and the next round has room for one more per [REPROBE_AGAIN_PER_ANSWER] of them. */
    private fun mayReprobeAgain(p: Probe): Boolean {
        val next = p.reprobeRound + 1
        return next <= MAX_REPROBE_ROUNDS && reprobesQueuedIn[next] < REPROBE_AGAIN_PER_ANSWER * reprobesAnsweredIn[p.reprobeRound]
    }

    private fun reprobeAgain(p: Probe) {
        val next = p.reprobeRound + 1
        reprobesQueuedIn[next]++
        val pause = minOf(REPROBE_BACKOFF_NANOS shl (next - 2), MAX_REPROBE_BACKOFF_NANOS)
        reprobes.addLast(
            p.retry().also {
                it.reprobeRound = next
                it.notBeforeNanos = nanosOf(clock) + pause
            },
        )
    }

    /** Whether [p]'s silence puts the path in doubt: nothing sent after it was answered, though [OUTAGE_EXPECTED] answers were due by the loop's answers so far. */
    private fun suspectsOutage(p: Probe): Boolean {
        if (!timing.detectsLossEarly || !timing.retransmits || p.reprobe || latestAnswered == null || lastAnsweredSeq >= p.sendSeq || p.sendSeq < baseSeq) return false
        if (pathAnswered < OUTAGE_MIN_ANSWERS) return false
        val sentAfter = sendSeq - 1 - p.sendSeq
        return sentAfter.toDouble() * pathAnswered >= OUTAGE_EXPECTED * (sendSeq - baseSeq)
    }

    private fun hold(p: Probe, now: Long) {
        if (doubtSinceNanos == NO_DOUBT) {
            doubtSinceNanos = now
            doubtSeq = p.sendSeq
            outageConfirmed = false
        }
        held.addLast(p)
    }

    /** The witness's timeout (the outage is confirmed: the next witness goes at once) and the limit of the wait. */
    private fun checkWitness(now: Long) {
        val w = witness
        if (w != null && timedOut(w, now)) {
            abandonWitness()
            outageConfirmed = true
        }
        if (now - doubtSinceNanos >= OUTAGE_LIMIT_NANOS) pathClear(retryHeld = false)
    }

    private fun abandonWitness() {
        val w = witness ?: return
        if (!w.done) session.abandon(w)
        w.done = true
        witness = null
    }

    /** While the path is in doubt nothing but the witness goes out: returns how long until something may be sent. */
    private fun sendWitness(now: Long): Long {
        if (witness != null) return TimingController.WAIT_FOR_REPLY
        val model = latestAnswered ?: return TimingController.WAIT_FOR_REPLY
        val w = Probe(model.address, model.port, model.attempt, model.slot, model.portIndex, model.ip)
        w.witness = true
        w.sentAtNanos = now
        if (session.send(w) == SendResult.BUSY) return BUSY_BACKOFF_NANOS
        timing.onSent(now) // a packet like any other: in the rate and the scan's count of probes sent
        witness = w
        return TimingController.WAIT_FOR_REPLY
    }

    /**
     * The doubt is over: an answer came over the path, or the wait reached its limit. What was held
     * goes again uncounted after a confirmed outage ([retryHeld]), else is judged as always; the
     * silence before now no longer counts towards a doubt.
     */
    private fun pathClear(retryHeld: Boolean) {
        doubtSinceNanos = NO_DOUBT
        abandonWitness()
        baseSeq = sendSeq
        pathAnswered = 0
        while (held.isNotEmpty()) {
            val p = held.removeFirst()
            when {
                !retryHeld -> judge(p)
                !listener.isAbandoned(p) -> resend.addLast(p.retry().also { it.uncountedAttempts++ })
            }
        }
    }

    private fun firstPassOver() {
        if (firstPassOver) return
        firstPassOver = true
        listener.onFirstPassOver()
    }

    /** Every probe sent, some still out, and nothing answered for a round trip plus the reordering allowance since the latest send or answer. */
    private fun answersStopped(now: Long): Boolean {
        if (firstPassOver || !sourceDone || inFlight == 0 || !timing.detectsLossEarly) return false
        val srtt = timing.smoothedRttNanos
        return srtt >= 0 && now - maxOf(lastSendNanos, lastAnswerNanos) > srtt + reorderNanos(srtt)
    }

    /** RACK: a later probe to the same host was answered and this one's round trip is long past. */
    private fun lostEarly(p: Probe, now: Long): Boolean {
        if (!timing.detectsLossEarly || p.reprobe || p.waitsForNeighbour || p.slot >= answeredSentAt.size) return false
        val srtt = timing.smoothedRttNanos
        if (srtt < 0) return false
        val reorder = reorderNanos(srtt)
        return answeredSentAt[p.slot] > p.sentAtNanos + reorder && now - p.sentAtNanos > srtt + reorder
    }

    /** Whether [p]'s host answered another probe of this loop: its silence is then loss, not absence (an absent address costs no re-probe). */
    private fun hostAnswered(p: Probe): Boolean = when {
        p.slot >= MAX_TRACKED_SLOTS -> true // not tracked: re-probed as before
        p.slot >= answeredSentAt.size -> false
        else -> answeredSentAt[p.slot] != Long.MIN_VALUE
    }

    /**
     * Whether silent [p] gets a re-probe (counted here): when its host answered other probes, within
     * [REPROBE_FREE] or one per [REPROBE_SHARE] answers; when its host answered nothing, it waits for
     * the judgement of [dropReprobesOfSilentHosts], [AWAIT_FREE] of them or one per [REPROBE_SHARE]
     * answers (early in a scan, before many answers, a burst of loss may take more than that share).
     */
    private fun mayReprobe(p: Probe): Boolean {
        if (hostAnswered(p)) {
            if (silencesReprobed >= REPROBE_FREE && silencesReprobed * REPROBE_SHARE >= answered) return false
            silencesReprobed++
        } else {
            if (awaitingJudgement >= maxOf(AWAIT_FREE, answered / REPROBE_SHARE)) return false
            awaitingJudgement++
        }
        return true
    }

    /**
     * Once everything else is decided, with every count final: the re-probes of hosts that answered
     * nothing go only when the loop has proven loss (an answer came only to a retransmission, maybe
     * after those hosts' last attempt) and such silence is still rare; else those hosts are silent.
     * A discovery sweep or a one-port scan of a /16 gets its lost hosts right; a subnet of mostly
     * absent addresses sends no re-probe.
     */
    private fun dropReprobesOfSilentHosts() {
        val (kept, ofSilentHosts) = reprobes.partition { hostAnswered(it) }
        if (ofSilentHosts.isEmpty()) return
        // every waiting re-probe is a silence so far; at most one per REPROBE_SHARE answers is rare
        if (timing.lossProven && (timing.unanswered + reprobes.size) * REPROBE_SHARE <= answered) return
        ofSilentHosts.forEach(::silent)
        reprobes.clear()
        reprobes.addAll(kept)
    }

    /** [p] went unanswered through every attempt it gets. */
    private fun silent(p: Probe) {
        if (listener.isAbandoned(p)) return
        timing.onSilence()
        listener.onSilence(p)
    }

    /** Sends what timing allows; returns how long until the next send may happen. */
    private fun sendNew(): Long {
        while (true) {
            val delay = sendOne()
            if (delay != SENT_ONE) return delay
        }
    }

    /** Sends the next probe if timing allows: [SENT_ONE], or how long until the next send may happen. */
    private fun sendOne(): Long {
        val now = nanosOf(clock)
        if (doubtSinceNanos != NO_DOUBT) return sendWitness(now)
        val delay = timing.sendDelay(now, inFlight, if (answered > 0) silentInFlight else 0)
        if (delay != 0L) return delay
        val probe = nextProbe(now) ?: return if (reprobes.isNotEmpty() && inFlightQueue.none { !it.done && !it.reprobe } && resend.isEmpty() && sourceDone) {
            (nextReprobeAtNanos() - now).coerceAtLeast(1)
        } else {
            TimingController.WAIT_FOR_REPLY
        }
        if (listener.isAbandoned(probe)) return SENT_ONE
        probe.sentAtNanos = now
        if (session.send(probe) == SendResult.BUSY) {
            if (probe.reprobe) reprobes.addFirst(probe) else resend.addFirst(probe)
            timing.onResourceExhausted(inFlight)
            return if (inFlight == 0) BUSY_BACKOFF_NANOS else TimingController.WAIT_FOR_REPLY
        }
        timing.onSent(now)
        probe.sendSeq = sendSeq++
        lastSendNanos = now
        if (probe.reprobe) { timing.onReprobeSent(); lastReprobeNanos = now }
        inFlightQueue.addLast(probe)
        inFlight++
        if (!hostAnswered(probe)) { probe.toSilentHost = true; silentInFlight++ }
        if (probe.attempt > 0) retransmissionsInFlight++
        return SENT_ONE
    }

    private fun nextProbe(now: Long): Probe? {
        resend.removeFirstOrNull()?.let { return it }
        if (!sourceDone) {
            if (retransmissionsInFlight > 0 && timing.recoveringDrops) return null // losses first, then new load
            source.next()?.let { return it }
            sourceDone = true
        }
        // the re-probes go last, one at a time at a lower rate, once everything else is decided
        if (reprobes.isEmpty() || inFlightQueue.any { !it.done && !it.reprobe }) return null
        if (!reprobesJudged) { reprobesJudged = true; dropReprobesOfSilentHosts() }
        if (reprobes.isEmpty() || now < nextReprobeAtNanos()) return null
        return reprobes.removeFirst()
    }

    /** When the next re-probe may go: [REPROBE_SPACING_NANOS] after the last one, and not before its round's pause is over. */
    private fun nextReprobeAtNanos(): Long = maxOf(lastReprobeNanos + REPROBE_SPACING_NANOS, reprobes.first().notBeforeNanos)

    private fun finished(probe: Probe) {
        probe.done = true
        inFlight--
        if (probe.toSilentHost) silentInFlight--
        if (probe.attempt > 0) retransmissionsInFlight--
    }

    private fun waitForReplies(sendDelay: Long) {
        val now = nanosOf(clock)
        val head = inFlightQueue.firstOrNull { !it.done }
        var untilTimeout = head?.let { (it.sentAtNanos + timeoutOf(it) - now).coerceAtLeast(0) } ?: TimingController.WAIT_FOR_REPLY
        if (head != null && timing.detectsLossEarly && timing.smoothedRttNanos >= 0) {
            // wake in time to see the head lost early
            untilTimeout = minOf(untilTimeout, maxOf(EARLY_CHECK_NANOS, reorderNanos(timing.smoothedRttNanos)))
        }
        if (doubtSinceNanos != NO_DOUBT) {
            untilTimeout = minOf(untilTimeout, (doubtSinceNanos + OUTAGE_LIMIT_NANOS - now).coerceAtLeast(0))
            witness?.let { untilTimeout = minOf(untilTimeout, (it.sentAtNanos + timeoutOf(it) - now).coerceAtLeast(0)) }
        }
        val wait = minOf(untilTimeout, sendDelay, MAX_WAIT_NANOS)
        session.poll(wait, sink)
    }

    private fun process(probe: Probe, verdict: Verdict, answeredAttempt: Int) {
        if (probe.done) return // late reply to an expired attempt
        if (probe.witness) {
            probe.done = true
            // no packet crossed the path (the neighbour is gone): no evidence, lost at its timeout
            if (answeredAttempt == ReplySink.NO_EXCHANGE) return
            witness = null
            if (doubtSinceNanos != NO_DOUBT) pathClear(retryHeld = outageConfirmed)
            return
        }
        finished(probe)
        answered++
        val now = nanosOf(clock)
        lastAnswerNanos = now
        if (probe.reprobe) timing.onReprobeAnswered()
        if (answeredAttempt == ReplySink.NO_EXCHANGE) { // no packet went out or came back: nothing to time
            if (!listener.isAbandoned(probe)) listener.onReply(probe, verdict, -1)
            return
        }
        if (probe.reprobe) reprobesAnsweredIn[probe.reprobeRound]++ // the path carried this round: its silence may be loss
        pathAnswered++
        if (probe.sendSeq > lastAnsweredSeq) {
            lastAnsweredSeq = probe.sendSeq
            latestAnswered = probe
        }
        // an answer to a send after the first held probe: the path carries (again)
        if (doubtSinceNanos != NO_DOUBT && probe.sendSeq > doubtSeq) pathClear(retryHeld = outageConfirmed)
        val known = answeredAttempt >= 0
        val attempt = if (known) minOf(answeredAttempt, probe.attempt) else probe.attempt
        // Karn: time only an answer known to be to the attempt whose send time we have
        val rtt = when {
            attempt == probe.attempt && (known || probe.attempt == 0) -> now - probe.sentAtNanos
            known && attempt == probe.attempt - 1 -> now - probe.previousSentNanos
            else -> -1L
        }
        if (rtt >= 0 && attempt == probe.attempt) noteAnswered(probe)
        timing.onReply(
            attempt, rtt, inFlight, if (attempt == probe.attempt) probe.previousSentNanos else 0,
            errorReply = verdict.state != PortState.OPEN,
            sentNanos = if (attempt == probe.attempt) probe.sentAtNanos else probe.previousSentNanos,
        )
        if (!listener.isAbandoned(probe)) listener.onReply(probe, verdict, rtt)
    }

    private fun noteAnswered(probe: Probe) {
        val slot = probe.slot
        if (slot >= answeredSentAt.size) {
            if (slot >= MAX_TRACKED_SLOTS) return
            answeredSentAt = answeredSentAt.copyOf(maxOf(slot + 1, answeredSentAt.size * 2).coerceAtMost(MAX_TRACKED_SLOTS)).also {
                it.fill(Long.MIN_VALUE, answeredSentAt.size, it.size)
            }
        }
        if (probe.sentAtNanos > answeredSentAt[slot]) answeredSentAt[slot] = probe.sentAtNanos
    }

    private fun abandonAll() {
        abandonWitness()
        for (p in inFlightQueue) if (!p.done) { p.done = true; session.abandon(p) }
        inFlightQueue.clear()
        inFlight = 0
        silentInFlight = 0
        retransmissionsInFlight = 0
    }

    private companion object {
        const val MAX_WAIT_NANOS = 100_000_000L // wake at least every 100 ms for stop requests and progress
        const val BUSY_BACKOFF_NANOS = 10_000_000L

        /** [sendOne]'s answer when it sent (or skipped) a probe and the next may follow at once: no delay is negative. */
        const val SENT_ONE = -1L
        const val EARLY_CHECK_NANOS = 2_000_000L

        /** Beyond its timeout, how long a probe waiting for its neighbour's MAC may wait (the session gives up on a neighbour well before). */
        const val NEIGHBOUR_ALLOWANCE_NANOS = 1_000_000_000L
        const val MAX_TRACKED_SLOTS = 1 shl 16

        /** Silent probes re-probed whatever the answers; beyond that, one per [REPROBE_SHARE] answers. */
        const val REPROBE_FREE = 16L
        const val REPROBE_SHARE = 32L

        /** Silent probes to hosts that answered nothing kept for the judgement whatever the answers so far. */
        const val AWAIT_FREE = 256L

        /** Answers the loop must have had, and answers due among the sends after a silent probe, before its silence puts the path in doubt (by chance: about e^-32). */
        const val OUTAGE_MIN_ANSWERS = 32L
        const val OUTAGE_EXPECTED = 32.0

        /** How long a confirmed outage is waited out before what was held is judged as silence. */
        const val OUTAGE_LIMIT_NANOS = 5_000_000_000L
        const val NO_DOUBT = Long.MIN_VALUE

        /** The re-probes' pace: at most 1000 per second. */
        const val REPROBE_SPACING_NANOS = 1_000_000L

        /** Rounds of re-probes a silent probe may get while re-probes of its round are answered (see the class KDoc). */
        const val MAX_REPROBE_ROUNDS = 6

        /** Re-probes of a next round per answered re-probe of the round before. */
        const val REPROBE_AGAIN_PER_ANSWER = 4L

        /** The pause before a second round's re-probe; it doubles each round up to [MAX_REPROBE_BACKOFF_NANOS]. */
        const val REPROBE_BACKOFF_NANOS = 250_000_000L
        const val MAX_REPROBE_BACKOFF_NANOS = 2_000_000_000L

        /** How much later a probe must have been sent than one still unanswered for its answer to prove that one lost. */
        fun reorderNanos(srttNanos: Long): Long = maxOf(2 * srttNanos, 5_000_000L)
    }
}
