package dev.kmap.engine.internal.stages

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.TargetHost
import dev.kmap.engine.Host
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanStage
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import dev.kmap.engine.internal.GroupHost
import dev.kmap.engine.internal.parallel
import kotlinx.coroutines.runInterruptible
import java.net.Inet6Address
import java.net.InetAddress

/**
 * Resolves a group's host names in parallel (the resolver may block). With `-6` only IPv6
 * addresses count: a name without one fails instead of being scanned over IPv4. A name that does
 * not resolve is reported as a [ScanEvent.TargetError] and a host with [dev.kmap.engine.HostResult.error];
 * the scan goes on with the others.
 */
@OptIn(KmapExtensionPoint::class)
internal object ResolveStage : ScanStage {
    override val name: String = "resolve"
    override val phase: StagePhase = StagePhase.RESOLVE

    override suspend fun run(context: StageContext) {
        val run = context.internalRun
        val names = run.hosts.filter { it.host == null && !it.finished }
        if (names.isEmpty()) return
        val v6 = context.plan.preferIpv6
        val resolver = context.config.resolver
        val resolved = runInterruptible {
            parallel(names.map { (it.target as TargetHost.Name).name }.distinct(), DNS_BUDGET_NANOS, "kmap-dns") { name ->
                resolver.resolve(name, v6).firstOrNull { !v6 || it is Inet6Address }
            }
        }
        for (h in names) {
            val name = (h.target as TargetHost.Name).name
            val inet: InetAddress? = resolved[name]
            if (inet != null) {
                h.resolvedTo(IpAddress.ofBytes(inet.address), name)
            } else {
                fail(run, h, name, v6)
            }
        }
    }

    private fun fail(run: dev.kmap.engine.internal.GroupRun, h: GroupHost, name: String, v6: Boolean) {
        h.host = Host(IpAddress.parse(if (v6) "::" else "0.0.0.0"), name)
        h.reason = "unresolved"
        h.error = if (v6) "failed to resolve \"$name\" to an IPv6 address" else "failed to resolve \"$name\""
        run.emit(ScanEvent.TargetError(name, if (v6) "Failed to resolve \"$name\" to an IPv6 address (-6)." else "Failed to resolve \"$name\"."))
        run.finish(h, HostStatus.UNKNOWN)
    }

    const val DNS_BUDGET_NANOS = 5_000_000_000L
}
