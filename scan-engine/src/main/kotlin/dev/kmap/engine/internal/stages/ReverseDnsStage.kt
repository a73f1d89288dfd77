package dev.kmap.engine.internal.stages

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.ScanStage
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import dev.kmap.engine.internal.parallel
import kotlinx.coroutines.runInterruptible

/** Reverse DNS of the hosts found up (every host with `-R`, and in a list scan), in parallel. */
@OptIn(KmapExtensionPoint::class)
internal object ReverseDnsStage : ScanStage {
    override val name: String = "reverse-dns"
    override val phase: StagePhase = StagePhase.REVERSE_DNS

    override fun appliesTo(plan: ScanPlan): Boolean = plan.dns != DnsResolution.NEVER

    override suspend fun run(context: StageContext) {
        val run = context.internalRun
        val all = context.plan.dns == DnsResolution.ALWAYS || context.plan.listOnly
        val hosts = run.hosts.filter { it.host != null && !it.finished && (all || it.up) }
        if (hosts.isEmpty()) return
        val resolver = context.config.resolver
        val names = runInterruptible { parallel(hosts, ResolveStage.DNS_BUDGET_NANOS, "kmap-rdns") { resolver.reverse(it.inet!!) } }
        synchronized(run.lock) { hosts.forEach { it.reverseName = names[it] } }
    }
}
