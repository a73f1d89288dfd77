package dev.kmap.engine

import dev.kmap.dsl.Timing
import dev.kmap.dsl.TimingTemplate
import dev.kmap.engine.FakeNetwork.Companion.MS
import dev.kmap.engine.FakeNetwork.Companion.OPEN
import dev.kmap.engine.internal.ProbeListener
import dev.kmap.engine.internal.ProbeLoop
import dev.kmap.engine.internal.ProbeSource
import dev.kmap.engine.internal.TimingController
import java.net.InetAddress
import java.util.PriorityQueue
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Replies that say which attempt they answer, late replies, and Karn's rule, on a fake network in
 * virtual time. Unlike [FakeNetwork], an answer already on its way still arrives after the loop
 * gave up on its attempt, and goes to whichever attempt of that port is in flight then (as a raw
 * session's table of probes in flight does).
 */
class AttemptTimingTest {
    private val addr = InetAddress.getByAddress(byteArrayOf(10, 0, 0, 1))

    /** [delay] of (port, attempt): null = lost. [carriesAttempt]: the answer says which attempt it is to. */
    private class AttemptNetwork(val carriesAttempt: Boolean, val delay: (port: Int, attempt: Int) -> Long?) : ProbeSession {
        var now = 0L
        var sent = 0
        private var seq = 0L
        private class Pending(val at: Long, val seq: Long, val port: Int, val attempt: Int)
        private val queue = PriorityQueue<Pending>(compareBy<Pending>({ it.at }, { it.seq }))
        private val inFlight = HashMap<Int, Probe>()
        override val capacity = 1000

        override fun send(probe: Probe): SendResult {
            sent++
            inFlight[probe.port] = probe
            delay(probe.port, probe.attempt)?.let { queue += Pending(now + it, seq++, probe.port, probe.attempt) }
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
                val probe = inFlight.remove(p.port) ?: continue // nothing in flight for that port: dropped as a duplicate
                sink.reply(probe, OPEN, if (carriesAttempt) p.attempt else ReplySink.UNKNOWN_ATTEMPT)
            }
        }

        override fun abandon(probe: Probe) {
            if (inFlight[probe.port] === probe) inFlight.remove(probe.port)
        }

        override fun close() {}
    }

    private class Seen(val port: Int, val attempt: Int, val rttNanos: Long)

    private fun run(net: AttemptNetwork, ports: IntRange): Pair<List<Seen>, TimingController> {
        val seen = ArrayList<Seen>()
        val it = ports.iterator()
        val source = object : ProbeSource {
            override fun next(): Probe? = if (it.hasNext()) it.next().let { p -> Probe(addr, p, 0, 0, p) } else null
        }
        val listener = object : ProbeListener {
            override fun onReply(probe: Probe, verdict: Verdict, rttNanos: Long) { seen += Seen(probe.port, probe.attempt, rttNanos) }
            override fun onSilence(probe: Probe) {}
        }
        val timing = TimingController(Timing(TimingTemplate.T4), net.capacity, net.now)
        ProbeLoop(net, timing, { net.now }, source, listener) { false }.run()
        return seen to timing
    }

    @Test
    fun `a late answer to the first attempt is credited to it, with its own round trip`() {
        // port 1 answers its first probe after 700 ms, past the 500 ms initial timeout of T4; its retransmission is lost
        val net = AttemptNetwork(carriesAttempt = true) { port, attempt -> if (port == 1) (if (attempt == 0) 700 * MS else null) else 1 * MS }
        val (seen, _) = run(net, 1..1)
        val s = seen.single()
        assertEquals(1, s.attempt, "the answer came while the retransmission was in flight")
        assertTrue(s.rttNanos in 695 * MS..705 * MS, "the round trip is the first attempt's, 700 ms: ${s.rttNanos / MS} ms")
    }

    @Test
    fun `an answer that cannot say which attempt it is to is not timed (Karn)`() {
        // the first probe is lost, the retransmission answered after 1 ms; the answer does not carry the attempt
        val net = AttemptNetwork(carriesAttempt = false) { _, attempt -> if (attempt == 0) null else 1 * MS }
        val (seen, timing) = run(net, 1..1)
        assertEquals(1, seen.single().attempt)
        assertTrue(seen.single().rttNanos < 0, "no round trip for an ambiguous answer")
        assertEquals(-1, timing.smoothedRttNanos, "no RTT sample taken")
    }

    @Test
    fun `an answer to a retransmission that says so is timed`() {
        val net = AttemptNetwork(carriesAttempt = true) { _, attempt -> if (attempt == 0) null else 1 * MS }
        val (seen, timing) = run(net, 1..1)
        assertEquals(1 * MS, seen.single().rttNanos)
        assertEquals(1 * MS, timing.smoothedRttNanos)
    }

    @Test
    fun `a late first answer is not taken for the retransmission's round trip`() {
        // before: the first probe's answer, arriving 2 ms after the retransmission went out, made a 2 ms sample
        val net = AttemptNetwork(carriesAttempt = true) { port, attempt -> if (port == 1 && attempt == 0) 502 * MS else if (port == 1) null else 1 * MS }
        val (seen, timing) = run(net, 1..1)
        assertTrue(seen.single().rttNanos >= 500 * MS, "rtt ${seen.single().rttNanos / MS} ms")
        assertTrue(timing.smoothedRttNanos >= 500 * MS, "srtt ${timing.smoothedRttNanos / MS} ms")
    }
}
