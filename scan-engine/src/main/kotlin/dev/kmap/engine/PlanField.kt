package dev.kmap.engine

import dev.kmap.dsl.ScanPlan

/**
 * A field of [ScanPlan] that only a stage runs. A [ScanStage] lists the fields it runs in
 * [ScanStage.runs]; the engine refuses a plan that sets a field no registered stage runs, with
 * one line naming the field ([ScanUnavailableException]), instead of ignoring it. `outputs` is
 * not among them: reports are written by the output layer, not by a stage.
 *
 * ```kotlin
 * override val runs = setOf(PlanField.SERVICE_DETECTION)
 * ```
 */
public enum class PlanField(
    /** The field's name in [ScanPlan] (and its JSON). */
    public val fieldName: String,
    /** nmap's flag for it. */
    public val flag: String,
) {
    /** [ScanPlan.serviceDetection]. */
    SERVICE_DETECTION("serviceDetection", "-sV"),

    /** [ScanPlan.osDetection]. */
    OS_DETECTION("osDetection", "-O"),

    /** [ScanPlan.scripts]. */
    SCRIPTS("scripts", "--script"),
    ;

    /** True when [plan] sets this field. */
    public fun isSetIn(plan: ScanPlan): Boolean = when (this) {
        SERVICE_DETECTION -> plan.serviceDetection != null
        OS_DETECTION -> plan.osDetection
        SCRIPTS -> plan.scripts.isNotEmpty()
    }
}
