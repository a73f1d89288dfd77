package dev.kmap.engine.internal

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.ScanPlan

/**
 * The engine keeps its word about [ScanPlan.outputs] by refusing them: the formats live above it
 * (module `scan-report`), and a plan whose reports would silently not be written is worse than
 * one clear line before the first packet.
 */
internal fun refuseOutputs(plan: ScanPlan) {
    if (plan.outputs.isEmpty()) return
    val what = plan.outputs.joinToString(", ") { "${it.format.flag} ${it.path}" }
    throw InvalidSpecException(
        "ScanPlan.outputs ($what) are written by Kmap.scan/Kmap.scanFlow (module scan-report), not by the engine's scan()/scanFlow(): " +
            "use those, or plan.copy(outputs = emptyList())",
    )
}
