package dev.kmap.script

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.ScanStage
import dev.kmap.engine.StageProvider

/**
 * Makes `scan(plan)` run [ScanPlan.scripts] whenever kscript-runner is on the class path (listed
 * in `META-INF/services/dev.kmap.engine.StageProvider`): the built-in script library, the plan's
 * script arguments, the default time budget and cache, as the CLI does without options.
 *
 * ```kotlin
 * val report = scan(scan { targets("127.0.0.1"); ports("22"); connect(); script("banner") }) // runs banner
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public class ScriptStageProvider : StageProvider {
    override fun stagesFor(plan: ScanPlan): List<ScanStage> =
        if (plan.scripts.isEmpty()) emptyList() else listOfNotNull(ScriptHost().runnerFor(plan)?.let(::ScriptStage))
}
