package dev.kmap.engine.internal.stages

import dev.kmap.engine.ScanStage
import dev.kmap.engine.service.internal.ServiceStage

/**
 * The stages kmap ships, in phase order; later features add entries (see [dev.kmap.engine.StagePhase]).
 * Service detection runs only for plans with `serviceDetection` (`-sV`).
 */
internal object BuiltInStages {
    val all: List<ScanStage> = listOf(ResolveStage, DiscoveryStage, ReverseDnsStage, PortScanStage, ServiceStage)
}
