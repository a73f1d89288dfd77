package dev.kmap.engine.internal

import dev.kmap.dsl.Timing

/**
 * How a run of probes is split over parallel [ProbeLoop]s so that the plan's limits hold for the
 * scan as a whole, not per loop: `--min-rate`/`--max-rate` are divided among the loops,
 * `--max-parallelism` (and the serial cap of -T0..-T2) is divided so the loops together never hold
 * more probes in flight, and `--min-parallelism` likewise; a scan delay (`--scan-delay`, -T0..-T2)
 * means one probe at a time at that pace, so one loop. Returns one [Timing] per loop.
 */
internal object LoopShares {
    const val MAX_LOOPS = 8
    const val MIN_PROBES_PER_LOOP = 2_048L

    fun of(timing: Timing, concurrentSessions: Int, probes: Long): List<Timing> {
        var loops = concurrentSessions.coerceIn(1, MAX_LOOPS).toLong().coerceAtMost(maxOf(1, probes / MIN_PROBES_PER_LOOP)).toInt()
        if (timing.effectiveScanDelayMillis > 0) loops = 1
        val maxParallelism = timing.effectiveMaxParallelism
        if (maxParallelism != null) loops = minOf(loops, maxParallelism)
        if (loops == 1) return listOf(timing)
        return List(loops) { k ->
            val minShare = timing.minParallelism?.let { share(it, loops, k) }?.takeIf { it > 0 }
            val maxShare = maxParallelism?.let { share(it, loops, k) }
            timing.copy(
                minRate = timing.minRate?.div(loops),
                maxRate = timing.maxRate?.div(loops),
                maxParallelism = maxShare,
                minParallelism = if (minShare != null && maxShare != null) minOf(minShare, maxShare) else minShare,
            )
        }
    }

    /** Loop [k]'s share of [total] over [loops] loops: the shares add up to [total]. */
    fun share(total: Int, loops: Int, k: Int): Int = total / loops + if (k < total % loops) 1 else 0
}
