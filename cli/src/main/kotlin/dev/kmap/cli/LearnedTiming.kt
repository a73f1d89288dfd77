package dev.kmap.cli

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.TargetSpec
import dev.kmap.store.ScanStore
import java.io.PrintStream
import java.util.Locale

/**
 * Learned timing: a scan of a network the store has seen starts from what was measured there
 * (the first probe timeout `srtt + 4 * rttvar`, within the template's minimum and maximum)
 * instead of the template's blind initial timeout (1 s at -T3). Not when `--initial-rtt-timeout`
 * is given. `-d` prints what was learned for each network.
 */
internal object LearnedTiming {
    fun apply(store: ScanStore, plan: ScanPlan, debug: Int, err: PrintStream): ScanPlan {
        if (plan.timing.initialRttTimeoutMillis != null || System.getProperty("kmap.store.learnTiming") == "false") return plan
        val found = addresses(plan).mapNotNull { store.learnedTiming(it) }.distinctBy { it.network }
        if (found.isEmpty()) return plan
        val t = plan.timing
        val initial = found.maxOf { it.initialTimeoutMillis }.coerceIn(t.effectiveMinRttTimeoutMillis, maxOf(t.effectiveMinRttTimeoutMillis, t.effectiveMaxRttTimeoutMillis))
        if (debug > 0) {
            for (n in found) {
                err.println(
                    String.format(
                        Locale.ROOT, "kmap: learned timing for %s: srtt %.2f ms, rttvar %.2f ms, loss %.1f%% (%d replies): initial RTT timeout %d ms",
                        n.network, n.srttMicros / 1000.0, n.rttvarMicros / 1000.0, n.loss * 100, n.samples, initial,
                    ),
                )
            }
        }
        return plan.copy(timing = t.copy(initialRttTimeoutMillis = initial))
    }

    /** One address per network of the plan's includes, at most [MAX_NETWORKS] (names and files are resolved later, not here). */
    private fun addresses(plan: ScanPlan): List<IpAddress> {
        val out = LinkedHashSet<IpAddress>()
        for (spec in plan.targets.includes) {
            if (out.size >= MAX_NETWORKS) break
            when (spec) {
                is TargetSpec.Address -> out += spec.address
                is TargetSpec.AddressRange -> out += spec.first
                is TargetSpec.Cidr -> {
                    val step = if (spec.base.isV6) 0L else 256L
                    val count = if (spec.base.isV6 || spec.prefix >= 24) 1 else minOf(1L shl (24 - spec.prefix), MAX_NETWORKS.toLong()).toInt()
                    for (i in 0 until count) out += spec.base + i * step
                }
                else -> Unit
            }
        }
        return out.take(MAX_NETWORKS)
    }

    private const val MAX_NETWORKS = 64
}
