package dev.kmap.engine

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.ScanType
import java.util.PriorityQueue
import java.util.concurrent.atomic.AtomicInteger
import kotlin.reflect.KClass

/**
 * A fake network for whole-engine tests on one virtual clock: any number of fake modules (port
 * scans, discovery probes) whose sessions share [now]; [fate] decides each probe's answer (with
 * its delay) or silence. Sessions run one loop at a time (concurrentSessions 1), so the virtual
 * clock only moves forward. [sent] records every probe: module name, address and port.
 */
class VirtualNet(val fate: (module: String, probe: Probe) -> Pair<Long, Verdict>?) {
    @Volatile var now = 0L
        private set
    val clock: () -> Long = { now }
    val sent: MutableList<Triple<String, IpAddress, Int>> = java.util.Collections.synchronizedList(ArrayList())
    val opened = AtomicInteger()
    val closed = AtomicInteger()

    fun module(
        name: String,
        scanTypes: Set<ScanType> = emptySet(),
        discoveryProbes: Set<KClass<out DiscoveryProbe>> = emptySet(),
        defaultDiscovery: DefaultDiscovery? = null,
        silence: Verdict = Verdict(PortState.FILTERED, "no-response", false),
        ports: (DiscoveryProbe) -> List<Int> = { listOf(0) },
    ): ProbeModule = object : ProbeModule {
        override val name = name
        override val scanTypes = scanTypes
        override val discoveryProbes = discoveryProbes
        override val defaultDiscovery = defaultDiscovery
        override val silence = silence
        override fun discoveryPorts(probe: DiscoveryProbe) = ports(probe)
        override fun open(): ProbeSession = Session(name).also { opened.incrementAndGet() }
    }

    private inner class Session(private val module: String) : ProbeSession {
        private val replies = PendingReplies()
        override val capacity = 100_000

        override fun send(probe: Probe): SendResult {
            sent += Triple(module, IpAddress.ofBytes(probe.address.address), probe.port)
            val answer = fate(module, probe)
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
            replies.deliverDue(now, sink)
        }

        override fun abandon(probe: Probe) = replies.abandon(probe)

        override fun close() { closed.incrementAndGet() }
    }

    companion object {
        const val MS = 1_000_000L
        val OPEN = Verdict(PortState.OPEN, "syn-ack", true)
        val CLOSED = Verdict(PortState.CLOSED, "reset", true)
        val ECHO = Verdict(PortState.OPEN, "echo-reply", true)
        val ARP = Verdict(PortState.OPEN, "arp-response", true)

        /** A resolver that resolves nothing and has no reverse names (tests never touch DNS). */
        val NO_DNS = object : HostResolver {
            override fun resolve(name: String, preferIpv6: Boolean) = emptyList<java.net.InetAddress>()
            override fun reverse(address: java.net.InetAddress): String? = null
        }
    }
}

/**
 * The replies a fake session has scheduled, by the virtual time they are due (then in send order):
 * each probe's pending reply is its attachment, so [abandon] takes it back.
 */
class PendingReplies {
    private class Pending(val at: Long, val seq: Long, val probe: Probe, val verdict: Verdict)

    private var seq = 0L
    private val queue = PriorityQueue<Pending>(compareBy<Pending>({ it.at }, { it.seq }))

    /** When the next reply is due, or null when none is pending. */
    val nextAt: Long? get() = queue.peek()?.at

    /** [probe] is answered with [verdict] at virtual time [at]. */
    fun schedule(at: Long, probe: Probe, verdict: Verdict) {
        probe.attachment = Pending(at, seq++, probe, verdict).also(queue::add)
    }

    /** Hands [sink] every reply due at [now] or before, in order. */
    fun deliverDue(now: Long, sink: ReplySink) {
        while (queue.isNotEmpty() && queue.peek().at <= now) {
            val p = queue.poll()
            p.probe.attachment = null
            sink.reply(p.probe, p.verdict)
        }
    }

    /** [probe] will not be answered. */
    fun abandon(probe: Probe) {
        (probe.attachment as? Pending)?.let { queue.remove(it) }
        probe.attachment = null
    }
}
