package dev.kmap.script

import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.ScanReport
import dev.kmap.report.format.ReportFormats
import dev.kmap.report.format.ReportOptions
import dev.kmap.script.internal.ScanScriptCompilation
import dev.kmap.script.internal.ScanScriptEvaluation
import kotlin.script.experimental.annotations.KotlinScript

/**
 * The base class of every `*.scan.kts` script. The scan DSL (`dev.kmap.dsl`), the result model
 * (`dev.kmap.engine`) and this API (`dev.kmap.script`) are imported by default.
 *
 * A script either declares what it checks ([description], [categories], [argument], one of
 * [portRule]/[hostRule], and an [action]), and then runs against the hosts of any scan that
 * selects it (`--script NAME`), or declares a plan and [run]s it (`kmap run FILE [args]`); the
 * rules and action it declares apply to its own [run]s too.
 *
 * ```kotlin
 * // http-title.scan.kts
 * description = "Shows the title of a web page."
 * categories("default", "discovery", "safe")
 * portRule(Shortport.http)
 * action { Regex("<title>(.*?)</title>").find(http.get("/").body)?.groupValues?.get(1) }
 * ```
 */
@KotlinScript(
    displayName = "kmap scan script",
    fileExtension = "scan.kts",
    compilationConfiguration = ScanScriptCompilation::class,
    evaluationConfiguration = ScanScriptEvaluation::class,
)
public abstract class ScanScript(private val environment: ScriptEnvironment) {
    internal var portRuleFn: ((PortRuleScope) -> Boolean)? = null
    internal var hostRuleFn: ((HostRuleScope) -> Boolean)? = null
    internal var actionFn: (suspend ActionContext.() -> Any?)? = null
    internal val declaredCategories = LinkedHashSet<String>()
    internal val declaredArguments = ArrayList<ScriptArgument>()

    /** The words after the script's file on the command line (`kmap run x.scan.kts a b`: `[a, b]`). */
    public val args: List<String> get() = environment.commandLine

    /** The script arguments (`--script-args`, `script(…) { arg(…) }`). */
    public val scriptArgs: ScriptArgs get() = environment.scriptArgs

    /** What the script does, in a sentence or two (shown by `kmap --script-help`-like listings). */
    public var description: String = ""

    /** Adds the script to [names] (`default`, `safe`, `discovery`, `version`, `intrusive`, …). */
    public fun categories(vararg names: String) { declaredCategories += names }

    /** Documents an argument the action reads with [ActionContext.arg]. */
    public fun argument(name: String, description: String, default: String? = null) {
        declaredArguments += ScriptArgument(name, description, default)
    }

    /** Runs the action on each port for which [rule] is true (e.g. `portRule(Shortport.http)`). */
    public fun portRule(rule: PortRule) { portRuleFn = { rule.matches(it) } }

    /** Runs the action on each port for which [block] is true. */
    public fun portRule(block: PortRuleScope.() -> Boolean) { portRuleFn = { it.block() } }

    /** Runs the action once per host for which [block] is true (an nmap host script). */
    public fun hostRule(block: HostRuleScope.() -> Boolean) { hostRuleFn = { it.block() } }

    /**
     * What the script does on a port or host. It returns its output: null or [Unit] for none, a
     * [String], a [ScriptResult] (see [result]), or a [Map]/[List] shown as structure.
     */
    public fun action(block: suspend ActionContext.() -> Any?) { actionFn = block }

    /**
     * Runs [plan] (its own `script(...)` selections plus this script's rules and action) and returns
     * the report; the plan's `output { }` files are written as the `kmap` command writes them
     * (checked before the first packet, closed well-formed when the scan fails or is stopped).
     */
    public fun run(plan: ScanPlan): ScanReport = environment.run(plan, this)

    /** Prints [report] to standard output in [format] (nmap's normal output by default). */
    public fun print(report: ScanReport, format: OutputFormat = OutputFormat.NORMAL) {
        val out = StringBuilder()
        ReportFormats.render(format, report, out, ReportOptions(version = environment.version, commandLine = environment.name))
        kotlin.io.print(out)
    }
}
