package dev.kmap.script

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.PlanField
import dev.kmap.engine.ScanStage
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope

/**
 * Scripts as the last stage of the engine's pipeline ([StagePhase.SCRIPTS]): [runner] runs on
 * every up host of each group once the earlier stages (port scan, service detection...) are done
 * with it, hosts of a group at once (the runner bounds the actions in flight). It runs
 * [ScanPlan.scripts]; registered explicitly it runs whatever [runner] holds, even for a plan that
 * selects no script (a `.scan.kts` running its own action).
 *
 * ```kotlin
 * val runner = ScriptHost().runnerFor(plan)!!
 * val report = scan(plan, EngineConfig().withStages(ScriptStage(runner)))
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public class ScriptStage(public val runner: ScriptRunner) : ScanStage {
    override val name: String = "scripts"
    override val phase: StagePhase = StagePhase.SCRIPTS
    override val runs: Set<PlanField> = setOf(PlanField.SCRIPTS)

    override fun appliesTo(plan: ScanPlan): Boolean = true

    override suspend fun run(context: StageContext) {
        coroutineScope {
            context.hosts.map { h ->
                async {
                    h.replace(runner.process(h.snapshot()))
                    h.done()
                }
            }.awaitAll()
        }
    }
}
