package dev.kmap.engine.internal

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ScanUnavailableException
import dev.kmap.packet.RouteResolver

/**
 * Which discovery probes each host gets. With probes named in the plan, every host gets them
 * (an ARP/NDP probe only where it can be sent: on-link targets). Without, nmap's default per host:
 * each available module's [dev.kmap.engine.DefaultDiscovery] for on-link or routed targets (the
 * connect ping only when no other module contributes); `--send-ip` gives on-link targets the
 * routed probes. The modules decide the probes; nothing here knows probe kinds but ARP's rule.
 */
internal class DiscoveryPlanner private constructor(
    val steps: List<Step>,
    private val routed: List<Step>,
    private val onLink: List<Step>,
    private val explicit: Boolean,
    routes: () -> RouteResolver,
) {
    class Step(val probe: DiscoveryProbe, val module: ProbeModule, val ports: List<Int>) {
        val linkLayer: Boolean get() = probe is DiscoveryProbe.Arp
    }

    private val classifier by lazy { LinkClassifier(routes()) }

    /** Whether targets must be classified by link at all (raw probes whose choice depends on it). */
    val needsLinks: Boolean = (explicit && steps.any { it.linkLayer }) || (!explicit && routed != onLink)

    /** The link of [h] (when it matters here). */
    fun linkOf(h: GroupHost): TargetLink? = if (!needsLinks) null else classifier.link(h.host!!.address)

    /** The steps [h] gets, given its [link]. */
    fun stepsFor(link: TargetLink?): List<Step> = when {
        explicit -> if (link == null || link == TargetLink.ON_LINK) steps else steps.filter { !it.linkLayer }
        link == TargetLink.ON_LINK -> onLink
        else -> routed
    }

    companion object {
        fun of(plan: ScanPlan, config: EngineConfig): DiscoveryPlanner {
            val modules = config.modules.filter { it.unavailableReason() == null }
            fun step(probe: DiscoveryProbe): Step {
                val candidates = config.modules.filter { probe::class in it.discoveryProbes }
                val module = candidates.firstOrNull { it.unavailableReason() == null } ?: throw ScanUnavailableException(
                    "discovery probe ${probe.javaClass.simpleName} is unavailable: " +
                        (candidates.firstNotNullOfOrNull { it.unavailableReason() } ?: "no probe module implements it yet") +
                        " (use -Pn to skip discovery)",
                )
                return Step(probe, module, module.discoveryPorts(probe))
            }
            val routes = { config.routes ?: RouteResolver.system() }
            if (plan.discovery.probes.isNotEmpty()) {
                val steps = plan.discovery.probes.map(::step)
                return DiscoveryPlanner(steps, steps, steps, explicit = true, routes)
            }
            val contributing = modules.mapNotNull { it.defaultDiscovery }.filter { !it.fallback }
            val routedProbes = contributing.flatMap { it.routed }.ifEmpty {
                modules.mapNotNull { it.defaultDiscovery }.filter { it.fallback }.flatMap { it.routed }
            }.distinct()
            val onLinkProbes = if (plan.discovery.sendIp) routedProbes else contributing.flatMap { it.onLink }.distinct().ifEmpty { routedProbes }
            val byProbe = HashMap<DiscoveryProbe, Step>()
            val routed = routedProbes.map { byProbe.getOrPut(it) { step(it) } }
            val onLink = onLinkProbes.map { byProbe.getOrPut(it) { step(it) } }
            return DiscoveryPlanner((onLink + routed).distinct(), routed, onLink, explicit = false, routes)
        }
    }
}
