package dev.kmap.script

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.ScanReport

/**
 * What the host hands a script instance: its [name] (file name), the command-line words after the
 * file, the script arguments, the kmap version, and how [ScanScript.run] runs a plan. Built by
 * [ScriptHost]; scripts see it only through [ScanScript]'s members.
 *
 * ```kotlin
 * // inside a script: args, scriptArgs and run(plan) come from here
 * ```
 */
public class ScriptEnvironment internal constructor(
    public val name: String,
    public val commandLine: List<String>,
    public val scriptArgs: ScriptArgs,
    public val version: String,
    internal val runner: (ScanPlan, ScanScript) -> ScanReport,
) {
    internal fun run(plan: ScanPlan, script: ScanScript): ScanReport = runner(plan, script)
}
