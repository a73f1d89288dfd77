package dev.kmap.engine

/**
 * A hand-written network for unit tests, on a virtual clock: [fate] decides per probe whether it
 * is answered (with which verdict, after how long) or dropped. [poll] jumps the clock straight to
 * the next reply or the timeout, so a scan that takes minutes of virtual time runs in milliseconds.
 */
class FakeNetwork(
    private val capacityLimit: Int = 100_000,
    /** null = dropped; otherwise (delay in nanos, verdict). */
    val fate: (probe: Probe) -> Pair<Long, Verdict>?,
) : ProbeSession {
    var now = 0L
        private set
    val clock: () -> Long = { now }
    var sent = 0
    var maxInFlight = 0
    private var inFlight = 0
    private val replies = PendingReplies()
    val sendTimes = ArrayList<Long>()

    /** How long the scanning thread is away after each poll that waited (descheduled, a GC pause): replies due meanwhile wait for the next poll. */
    var awayAfterWait = 0L

    override val capacity: Int get() = capacityLimit

    override fun send(probe: Probe): SendResult {
        if (inFlight >= capacityLimit) return SendResult.BUSY
        sent++
        inFlight++
        maxInFlight = maxOf(maxInFlight, inFlight)
        sendTimes += now
        val answer = fate(probe)
        if (answer == null) probe.attachment = null else replies.schedule(now + answer.first, probe, answer.second)
        return SendResult.SENT
    }

    override fun poll(timeoutNanos: Long, sink: ReplySink) {
        val deadline = if (timeoutNanos == Long.MAX_VALUE) Long.MAX_VALUE else now + timeoutNanos
        val next = replies.nextAt
        if (next == null || next > deadline) {
            check(deadline != Long.MAX_VALUE) { "poll would wait forever" }
            now = deadline
            return
        }
        now = maxOf(now, next)
        replies.deliverDue(now) { probe, verdict ->
            inFlight--
            sink.reply(probe, verdict)
        }
        if (timeoutNanos > 0) now += awayAfterWait
    }

    override fun abandon(probe: Probe) {
        inFlight--
        replies.abandon(probe)
    }

    override fun close() {}

    companion object {
        const val MS = 1_000_000L
        val OPEN = Verdict(PortState.OPEN, "syn-ack", true)
        val CLOSED = Verdict(PortState.CLOSED, "conn-refused", true)
    }
}
