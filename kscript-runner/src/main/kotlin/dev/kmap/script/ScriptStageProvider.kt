package dev.kmap.script

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.PlanField
import dev.kmap.engine.ScanStage
import dev.kmap.engine.StageContext
import dev.kmap.engine.StagePhase
import dev.kmap.engine.StageProvider

/**
 * Makes `scan(plan)` run [ScanPlan.scripts] whenever kscript-runner is on the class path (listed
 * in `META-INF/services/dev.kmap.engine.StageProvider`): the built-in script library, the plan's
 * script arguments, the default time budget and cache, as the CLI does without options. The
 * scripts (and their worker JVM) start when the first host reaches the stage, and end with the
 * scan; a stage registered in [dev.kmap.engine.EngineConfig.stages] instead costs nothing here.
 *
 * ```kotlin
 * val report = scan(scan { targets("127.0.0.1"); ports("22"); connect(); script("banner") }) // runs banner
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public class ScriptStageProvider : StageProvider {
    override fun stagesFor(plan: ScanPlan): List<ScanStage> = if (plan.scripts.isEmpty()) emptyList() else listOf(ProvidedScriptStage(plan))

    /** [ScriptStage] on a runner of its own, made on first use and closed by the engine after the scan. */
    private class ProvidedScriptStage(private val plan: ScanPlan) : ScanStage, AutoCloseable {
        private val runner = lazy { ScriptHost().runnerFor(plan)?.let(::ScriptStage) }
        override val name: String = "scripts"
        override val phase: StagePhase = StagePhase.SCRIPTS
        override val runs: Set<PlanField> = setOf(PlanField.SCRIPTS)

        override suspend fun run(context: StageContext) {
            val stage = runner.value
            if (stage != null) stage.run(context) else context.hosts.forEach { it.done() }
        }

        override fun close() {
            if (runner.isInitialized()) runner.value?.runner?.close()
        }
    }
}
