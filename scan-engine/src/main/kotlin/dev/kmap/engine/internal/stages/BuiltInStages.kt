package dev.kmap.engine.internal.stages

import dev.kmap.engine.ScanStage

/** The stages kmap ships, in phase order; later features add entries (see [dev.kmap.engine.StagePhase]). */
internal object BuiltInStages {
    val all: List<ScanStage> = listOf(ResolveStage, DiscoveryStage, ReverseDnsStage, PortScanStage)
}
