package dev.kmap.engine.internal

import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ProbeModule

/**
 * What the built-in stages decide once per scan, before the first event: which module runs each
 * scan type (with fallbacks and their warnings) and how hosts are discovered. Filled in by
 * [PreparedStage.prepare]; read by the stages for every group.
 */
internal class ScanSetup(val plan: ScanPlan, val config: EngineConfig) {
    class PortStep(val module: ProbeModule, val protocol: Protocol, val ports: PortList)

    val warnings = ArrayList<String>()
    var portSteps: List<PortStep> = emptyList()
    var discovery: DiscoveryPlanner? = null

    /** Ports per up host in all port steps: sizes the host groups. */
    val portsPerHost: Int get() = portSteps.sumOf { it.ports.size }
}

/** A built-in stage that decides something once per scan (and may refuse the plan) before it starts. */
internal interface PreparedStage {
    fun prepare(setup: ScanSetup)
}
