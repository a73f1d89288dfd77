package dev.kmap.engine.internal

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.PlanField
import dev.kmap.engine.ScanStage
import dev.kmap.engine.ScanUnavailableException
import dev.kmap.engine.StagePhase

/**
 * The stages a plan runs, in order: the registered stages plus class-path stages for the plan
 * fields no registered stage runs, those that apply to the plan, sorted by phase (stable: one
 * phase keeps registration order); a list scan keeps only the phases up to reverse DNS. Refuses a
 * plan that sets a field no stage runs.
 */
internal object StageSelection {
    fun select(plan: ScanPlan, config: EngineConfig): List<ScanStage> {
        val registered = config.stages
        val covered = registered.flatMapTo(HashSet()) { it.runs }
        val provided = config.stageProviders.flatMap { it.stagesFor(plan) }.filter { s -> s.runs.isNotEmpty() && s.runs.none { it in covered } }
        val all = registered + provided
        val runnable = all.flatMapTo(HashSet()) { it.runs }
        PlanField.entries.firstOrNull { it.isSetIn(plan) && it !in runnable }?.let { field ->
            throw ScanUnavailableException(
                "plan field ${field.fieldName} (${field.flag}) is set, but no stage runs it here" +
                    (if (field == PlanField.SCRIPTS) " (put kscript-runner on the class path or register its ScriptStage)" else ""),
            )
        }
        return all.filter { it.appliesTo(plan) && (!plan.listOnly || it.phase <= StagePhase.REVERSE_DNS) }.sortedBy { it.phase }
    }
}
