package dev.kmap.store.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanStats
import dev.kmap.store.NetworkTiming

/**
 * Reply times of a scan, per network, gathered as hosts finish (bounded: at most [MAX_NETWORKS]
 * networks and [MAX_SAMPLES] samples each), turned into [NetworkTiming]s when it finishes.
 */
internal class TimingSamples(private val maxRetries: Int) {
    private val samples = LinkedHashMap<String, LongArrayList>()
    private var decisions = 0L
    private var silent = 0L

    /**
     * Adds the samples of finished host [r] (an up host's latency and port RTTs) in one pass over
     * its ports, one small call per port: a loop body inlined here would run interpreted for most
     * of a 65535-port host (it finishes once, after the last packet, so on the scan's critical path);
     * the call is compiled after a few hundred ports.
     */
    fun add(r: HostResult) {
        if (r.status != HostStatus.UP || r.error != null) return
        decisions += r.ports.size
        val list = samples(r.host.address)
        r.latencyMicros?.let { list?.add(it) }
        for (p in r.ports) port(list, p)
    }

    /** One port of an up host: a silent decision (no reply, not closed), or an RTT sample for [list] while it has room. */
    private fun port(list: LongArrayList?, p: PortResult) {
        val rtt = p.rttMicros
        if (rtt == null) {
            if (p.state != PortState.CLOSED) silent++
        } else if (list != null && list.size < MAX_SAMPLES) {
            list.add(rtt)
        }
    }

    // the last network's samples: hosts of a scan come network by network, and naming one costs a string
    private var lastV6 = false
    private var lastBits = 0L
    private var last: LongArrayList? = null

    /** The samples of [a]'s network, or null when [MAX_NETWORKS] others have them. */
    private fun samples(a: IpAddress): LongArrayList? {
        val bits = if (a.isV6) a.high else a.low ushr 8
        last?.let { if (bits == lastBits && a.isV6 == lastV6) return it }
        val key = network(a)
        val list = samples[key] ?: if (samples.size >= MAX_NETWORKS) return null else LongArrayList().also { samples[key] = it }
        lastV6 = a.isV6; lastBits = bits; last = list
        return list
    }

    /** One timing per network seen, with the scan's loss estimate. */
    fun timings(stats: ScanStats, now: Long): List<NetworkTiming> {
        // every decided port costs a probe, a silent one up to maxRetries more: the rest were losses
        val excess = stats.probesSent - decisions - silent * maxRetries
        val loss = if (stats.probesSent <= 0) 0.0 else (excess.toDouble() / stats.probesSent).coerceIn(0.0, 1.0)
        return samples.mapNotNull { (net, list) ->
            if (list.size == 0) return@mapNotNull null
            val sorted = list.toSortedArray()
            val median = sorted[sorted.size / 2]
            val deviation = sorted.map { kotlin.math.abs(it - median) }.sorted()[sorted.size / 2]
            NetworkTiming(net, median, deviation, loss, sorted.size.toLong(), now)
        }
    }

    private class LongArrayList {
        private var a = LongArray(16)
        var size = 0
            private set

        fun add(v: Long) {
            if (size == a.size) a = a.copyOf(size * 2)
            a[size++] = v
        }

        fun toSortedArray(): LongArray = a.copyOf(size).also { it.sort() }
    }

    companion object {
        const val MAX_NETWORKS = 4096
        const val MAX_SAMPLES = 4096

        /** The network an address belongs to for learned timing: its IPv4 /24 or IPv6 /64. */
        fun network(a: IpAddress): String {
            val b = a.toBytes()
            return if (!a.isV6) "${b[0].toInt() and 255}.${b[1].toInt() and 255}.${b[2].toInt() and 255}.0/24"
            else IpAddress.ofBytes(b.copyOf(8) + ByteArray(8)).toString() + "/64"
        }
    }
}
