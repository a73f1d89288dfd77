package dev.kmap.script

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanReport
import dev.kmap.report.ScanJob
import dev.kmap.report.format.ReportOptions
import dev.kmap.script.internal.CompiledScripts
import dev.kmap.script.internal.ScanScriptEvaluation
import dev.kmap.script.internal.ScriptClasspath
import dev.kmap.script.internal.TopLevelBudget
import dev.kmap.script.internal.WorkerMessage
import dev.kmap.script.internal.evaluateScript
import kotlinx.coroutines.runBlocking
import java.io.File
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.api.SourceCode
import kotlin.script.experimental.api.constructorArgs
import kotlin.script.experimental.api.with
import kotlin.script.experimental.host.toScriptSource
import kotlin.script.experimental.jvmhost.createJvmCompilationConfigurationFromTemplate
import kotlin.script.experimental.jvmhost.createJvmEvaluationConfigurationFromTemplate
import kotlin.time.Duration

/**
 * Compiles (through a disk cache), loads and runs kmap scripts: `.scan.kts` library scripts for
 * `--script` ([runner]), `.scan.kts` files run on their own and standard `.main.kts` files
 * ([runFile]). Compiled scripts are cached in [cacheDir] (null: no cache), keyed by the script
 * text, its imports and dependencies, the class path, Kotlin and the JDK.
 *
 * Library scripts run in a worker JVM per runner ([isolation]); a script's top level, each rule
 * pass and each action get [budget]. Scripts are trusted code all the same: they run with all of
 * kmap's rights (files, network, processes); there is no sandbox.
 *
 * ```kotlin
 * val host = ScriptHost(cacheDir = File("/tmp/kmap-cache"))
 * val runner = host.runner(ScriptLibrary.builtIn().select("default"))
 * val report = scan(plan, EngineConfig().withStages(ScriptStage(runner)))
 * ```
 */
public class ScriptHost(
    public val cacheDir: File? = defaultCacheDir(),
    /** The kmap version scripts see (reports they print name it). */
    public val version: String = "dev",
    /** Script arguments given outside any plan (`--script-args`). */
    public val scriptArgs: ScriptArgs = ScriptArgs.EMPTY,
    /** The time budget of a script's top level (not counting the scans it runs), of each rule pass and of each action. */
    public val budget: Duration = ScriptRunner.DEFAULT_BUDGET,
    /** Where selectors are looked up. */
    public val library: ScriptLibrary = ScriptLibrary.builtIn(),
    /** Where runners run library scripts: a worker JVM (the default) or this one. */
    public val isolation: ScriptIsolation = ScriptIsolation.default(),
    /**
     * The time budget of a whole `.main.kts` run (null: none). A `.main.kts` scans through the
     * engine's API directly, so its own code cannot be told apart from its scans.
     */
    public val mainKtsBudget: Duration? = null,
    /**
     * The engine the scans of `.scan.kts` files run on ([ScanScript.run]); its `control` stops
     * them gracefully (the CLI's Ctrl-C). The host processor is the script runner's own.
     */
    public val engine: EngineConfig = EngineConfig(progressIntervalMillis = 0),
) {
    private val compiled = CompiledScripts(cacheDir)
    private val scanConfig by lazy { createJvmCompilationConfigurationFromTemplate<ScanScript>() }

    /** Scripts compiled so far by this host (cache misses). */
    public val compiles: Int get() = compiled.compiles.get()

    /** Scripts loaded from the cache so far. */
    public val cacheHits: Int get() = compiled.hits.get()

    /** Compiles (or loads from the cache) and evaluates [source] as a library script in this JVM, its top level within [budget]. */
    public fun load(source: ScriptSource, commandLine: List<String> = emptyList()): LoadedScript {
        val budget = TopLevelBudget(budget)
        val instance = evaluate(source, environment(source, commandLine, budget), budget)
        return LoadedScript(source.id, source.name, instance)
    }

    /**
     * A [ScriptRunner] for [sources] (see [ScriptLibrary.select]) with [scriptArgs] plus
     * [extraArgs]. With [ScriptIsolation.PROCESS] its worker is started and has loaded every
     * script when this returns; a script whose top level throws or overruns is a
     * [ScriptFailedException].
     */
    public fun runner(sources: List<ScriptSource>, extraArgs: Map<String, String> = emptyMap()): ScriptRunner = runner(sources, emptyList(), scriptArgs + extraArgs)

    /** A [ScriptRunner] for the scripts [plan] selects (and [extra] ones of this JVM), or null when there are none. */
    public fun runnerFor(plan: ScanPlan, extra: List<LoadedScript> = emptyList()): ScriptRunner? {
        if (plan.scripts.isEmpty() && extra.isEmpty()) return null
        val sources = if (plan.scripts.isEmpty()) emptyList() else library.select(plan.scripts.map { it.selector })
        val args = plan.scripts.fold(emptyMap<String, String>()) { acc, s -> acc + s.args }
        return runner(sources, extra, scriptArgs + args)
    }

    private fun runner(sources: List<ScriptSource>, extra: List<LoadedScript>, args: ScriptArgs): ScriptRunner {
        if (isolation == ScriptIsolation.IN_PROCESS) return ScriptRunner(null, sources.map { load(it) } + extra, args, budget)
        val jars = sources.map { source ->
            val (jar, sha256) = compile(source).jar
            WorkerMessage.ScriptJar(source.id, source.name, jar.path, sha256)
        }
        val init = WorkerMessage.Init(jars, args.values, version, budget.inWholeMilliseconds, PARALLELISM, 64 * 1024, 1024 * 1024)
        return ScriptRunner(init, extra, args, budget, PARALLELISM)
    }

    /**
     * Runs [file] with command-line [args]: a `.main.kts` as kotlin-main-kts would (see
     * [MainKtsScript]: `@file:DependsOn`, `@file:Repository`, `@file:Import`; within
     * [mainKtsBudget]), or a `.scan.kts` (its top level runs within [budget], not counting the
     * scans it runs; plans it [ScanScript.run]s use its rules and action).
     * Throws [ScriptCompileException] or [ScriptFailedException].
     */
    public fun runFile(file: File, args: List<String>) {
        val source = ScriptSource.of(file)
        when {
            file.name.endsWith(".main.kts") -> runMainKts(source, args)
            file.name.endsWith(".scan.kts") -> TopLevelBudget(budget).let { b -> evaluate(source, environment(source, args, b), b) }
            else -> throw ScriptSelectionException("cannot run \"$file\": expected a .scan.kts or .main.kts file")
        }
    }

    private fun environment(source: ScriptSource, commandLine: List<String>, budget: TopLevelBudget) =
        ScriptEnvironment(source.name, commandLine, scriptArgs, version) { plan, self -> budget.pausing { run(plan, LoadedScript(source.id, source.name, self)) } }

    private fun run(plan: ScanPlan, self: LoadedScript): ScanReport {
        val extra = if (self.instance.actionFn != null) listOf(self) else emptyList()
        val runner = runnerFor(plan, extra)
        val selected = if (plan.scripts.isEmpty()) emptyList() else library.select(plan.scripts.map { it.selector })
        val secrets = ScriptLibrary.secretArguments(selected) + self.arguments.filter { it.secret }.flatMap { listOf("${self.id}.${it.name}", it.name) }
        // the plan's outputs through the same job as the CLI: opened before the first packet, closed on failure
        val job = ScanJob(plan, options = ReportOptions(version = version, commandLine = self.id, secretArguments = secrets))
        val config = if (runner == null) engine else engine.withStages(ScriptStage(runner))
        return try {
            runBlocking { job.report(config) }
        } finally {
            runner?.close()
        }
    }

    private fun sourceCode(source: ScriptSource): SourceCode = source.file?.toScriptSource() ?: source.text.toScriptSource(source.name)

    private fun shownAs(source: ScriptSource): String = source.file?.path ?: source.name

    private fun compile(source: ScriptSource): CompiledScripts.Compiled =
        compiled.compile(sourceCode(source), { scanConfig }, "scan.kts", ScriptClasspath.kmap, shownAs(source))

    private fun evaluate(source: ScriptSource, env: ScriptEnvironment, budget: TopLevelBudget): ScanScript {
        val script = compile(source).script
        val config = ScriptEvaluationConfiguration(ScanScriptEvaluation()) { constructorArgs(env) }
        return budget.run(shownAs(source)) { evaluateScript(source.name, shownAs(source), script, config) } as ScanScript
    }

    private fun runMainKts(source: ScriptSource, args: List<String>) {
        val config = { createJvmCompilationConfigurationFromTemplate<MainKtsScript>() }
        val script = compiled.compile(sourceCode(source), config, "main.kts\n" + mainKtsInputs(source), ScriptClasspath.kmap, shownAs(source)).script
        val evaluation = createJvmEvaluationConfigurationFromTemplate<MainKtsScript>().with { constructorArgs(args.toTypedArray()) }
        TopLevelBudget(mainKtsBudget).run(shownAs(source)) { evaluateScript(source.name, shownAs(source), script, evaluation) }
    }

    /** What a main.kts compile depends on besides its text: its `@file:Import`ed files (transitively). */
    private fun mainKtsInputs(source: ScriptSource, seen: MutableSet<File> = HashSet()): String {
        val dir = source.file?.absoluteFile?.parentFile ?: return ""
        return IMPORT.findAll(source.text).joinToString("\n") { m ->
            val f = File(dir, m.groupValues[1]).canonicalFile
            if (!seen.add(f) || !f.isFile) "${f.path}:missing" else "${f.path}:${f.readText()}\n" + mainKtsInputs(ScriptSource(f.name, f.readText(), f), seen)
        }
    }

    public companion object {
        /** Environment variable naming the compiled-script cache directory (empty: no cache). */
        public const val CACHE_ENV: String = "KMAP_SCRIPT_CACHE"

        /** System property that overrides [CACHE_ENV]. */
        public const val CACHE_PROPERTY: String = "kmap.script.cache"

        private const val PARALLELISM = 16

        private val IMPORT = Regex("""@file:Import\(\s*"([^"]+)"""")

        /**
         * `-Dkmap.script.cache`, else `$KMAP_SCRIPT_CACHE`, else `$XDG_CACHE_HOME/kmap/scripts`,
         * else `~/.cache/kmap/scripts`; an empty value disables the cache (null).
         */
        public fun defaultCacheDir(): File? {
            val configured = System.getProperty(CACHE_PROPERTY) ?: System.getenv(CACHE_ENV)
            if (configured != null) return configured.takeIf { it.isNotBlank() }?.let(::File)
            val base = System.getenv("XDG_CACHE_HOME")?.takeIf { it.isNotBlank() }?.let(::File) ?: File(System.getProperty("user.home"), ".cache")
            return File(base, "kmap/scripts")
        }
    }
}
