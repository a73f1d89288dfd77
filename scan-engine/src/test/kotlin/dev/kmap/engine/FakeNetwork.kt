package dev.kmap.engine

import java.util.PriorityQueue

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
    private var seq = 0L
    private class Pending(val at: Long, val seq: Long, val probe: Probe, val verdict: Verdict)
    private val queue = PriorityQueue<Pending>(compareBy<Pending>({ it.at }, { it.seq }))
    val sendTimes = ArrayList<Long>()

    override val capacity: Int get() = capacityLimit

    override fun send(probe: Probe): SendResult {
        if (inFlight >= capacityLimit) return SendResult.BUSY
        sent++
        inFlight++
        maxInFlight = maxOf(maxInFlight, inFlight)
        sendTimes += now
        probe.attachment = fate(probe)?.let { (delay, verdict) -> Pending(now + delay, seq++, probe, verdict).also(queue::add) }
        return SendResult.SENT
    }

    override fun poll(timeoutNanos: Long, sink: ReplySink) {
        val deadline = if (timeoutNanos == Long.MAX_VALUE) Long.MAX_VALUE else now + timeoutNanos
        val next = queue.peek()
        if (next == null || next.at > deadline) {
            check(deadline != Long.MAX_VALUE) { "poll would wait forever" }
            now = deadline
            return
        }
        now = maxOf(now, next.at)
        while (queue.isNotEmpty() && queue.peek().at <= now) {
            val p = queue.poll()
            p.probe.attachment = null
            inFlight--
            sink.reply(p.probe, p.verdict)
        }
    }

    override fun abandon(probe: Probe) {
        inFlight--
        (probe.attachment as? Any)?.let { queue.remove(it) }
        probe.attachment = null
    }

    override fun close() {}

    companion object {
        const val MS = 1_000_000L
        val OPEN = Verdict(PortState.OPEN, "syn-ack", true)
        val CLOSED = Verdict(PortState.CLOSED, "conn-refused", true)
    }
}
