package dev.kmap.engine.internal

import dev.kmap.engine.ScanEvent

/**
 * Makes a [ScanEvent.Progress] at most every [intervalMillis] (0: never): hosts done, probes sent,
 * the probe rate over the last interval and the time left, estimated from the share of hosts done
 * (a host in the current group counts by its share of decided ports). Thread-safe.
 */
internal class ProgressReporter(
    intervalMillis: Long,
    private val startNanos: Long,
    private val snapshot: (nowNanos: Long) -> Snapshot,
) {
    class Snapshot(val hostsDone: Long, val hostsTotal: Long, val inGroup: Double, val probesSent: Long, val nowNanos: Long)

    private val interval = intervalMillis * 1_000_000
    private var lastNanos = startNanos
    private var lastProbes = 0L

    /** The progress event due at [nowNanos], or null. */
    fun tick(nowNanos: Long): ScanEvent.Progress? {
        if (interval <= 0 || nowNanos - lastNanos < interval) return null
        synchronized(this) {
            if (nowNanos - lastNanos < interval) return null
            val s = snapshot(nowNanos)
            val rate = (s.probesSent - lastProbes) / ((nowNanos - lastNanos) / 1e9)
            lastNanos = nowNanos
            lastProbes = s.probesSent
            val fraction = if (s.hostsTotal > 0) ((s.hostsDone + s.inGroup) / s.hostsTotal).coerceIn(0.0, 1.0) else 0.0
            val elapsed = (nowNanos - startNanos) / 1_000_000
            val eta = if (fraction > 0.001) ((elapsed / fraction) - elapsed).toLong().coerceAtLeast(0) else null
            return ScanEvent.Progress(s.hostsDone, s.hostsTotal, s.probesSent, rate, eta)
        }
    }
}
