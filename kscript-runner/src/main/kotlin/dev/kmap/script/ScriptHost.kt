package dev.kmap.script

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanReport
import dev.kmap.report.ScanJob
import dev.kmap.report.format.ReportOptions
import dev.kmap.script.internal.CompiledScripts
import dev.kmap.script.internal.ScanScriptEvaluation
import dev.kmap.script.internal.ScriptClasspath
import kotlinx.coroutines.runBlocking
import java.io.File
import kotlin.script.experimental.api.CompiledScript
import kotlin.script.experimental.api.ResultValue
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.api.SourceCode
import kotlin.script.experimental.api.constructorArgs
import kotlin.script.experimental.api.with
import kotlin.script.experimental.host.toScriptSource
import kotlin.script.experimental.jvm.BasicJvmScriptEvaluator
import kotlin.script.experimental.jvmhost.createJvmCompilationConfigurationFromTemplate
import kotlin.script.experimental.jvmhost.createJvmEvaluationConfigurationFromTemplate
import kotlin.time.Duration

/**
 * Compiles (through a disk cache), loads and runs kmap scripts: `.scan.kts` library scripts for
 * `--script` ([runner]), `.scan.kts` files run on their own and standard `.main.kts` files
 * ([runFile]). Compiled scripts are cached in [cacheDir] (null: no cache), keyed by the script
 * text, its imports and dependencies, the class path, Kotlin and the JDK.
 *
 * Scripts are trusted code: they run inside kmap's JVM with all of its rights (files, network,
 * processes). There is no sandbox: the JVM no longer has a security manager.
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
    /** The time budget of each action. */
    public val budget: Duration = ScriptRunner.DEFAULT_BUDGET,
    /** Where selectors are looked up. */
    public val library: ScriptLibrary = ScriptLibrary.builtIn(),
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

    /** Compiles (or loads from the cache) and evaluates [source] as a library script. */
    public fun load(source: ScriptSource, commandLine: List<String> = emptyList()): LoadedScript {
        val instance = evaluate(source, environment(source, commandLine))
        return LoadedScript(source.id, source.name, instance)
    }

    /** A [ScriptRunner] for [sources] (see [ScriptLibrary.select]) with [scriptArgs] plus [extraArgs]. */
    public fun runner(sources: List<ScriptSource>, extraArgs: Map<String, String> = emptyMap()): ScriptRunner =
        ScriptRunner(sources.map { load(it) }, scriptArgs + extraArgs, budget)

    /** A [ScriptRunner] for the scripts [plan] selects, or null when it selects none. */
    public fun runnerFor(plan: ScanPlan, extra: List<LoadedScript> = emptyList()): ScriptRunner? {
        if (plan.scripts.isEmpty() && extra.isEmpty()) return null
        val sources = if (plan.scripts.isEmpty()) emptyList() else library.select(plan.scripts.map { it.selector })
        val args = plan.scripts.fold(emptyMap<String, String>()) { acc, s -> acc + s.args }
        return ScriptRunner(sources.map { load(it) } + extra, scriptArgs + args, budget)
    }

    /**
     * Runs [file] with command-line [args]: a `.main.kts` as kotlin-main-kts would (see
     * [MainKtsScript]: `@file:DependsOn`, `@file:Repository`, `@file:Import`), or a
     * `.scan.kts` (its top level runs; plans it [ScanScript.run]s use its rules and action).
     * Throws [ScriptCompileException] or [ScriptFailedException].
     */
    public fun runFile(file: File, args: List<String>) {
        val source = ScriptSource.of(file)
        when {
            file.name.endsWith(".main.kts") -> runMainKts(source, args)
            file.name.endsWith(".scan.kts") -> evaluate(source, environment(source, args))
            else -> throw ScriptSelectionException("cannot run \"$file\": expected a .scan.kts or .main.kts file")
        }
    }

    private fun environment(source: ScriptSource, commandLine: List<String>) =
        ScriptEnvironment(source.name, commandLine, scriptArgs, version) { plan, self -> run(plan, LoadedScript(source.id, source.name, self)) }

    private fun run(plan: ScanPlan, self: LoadedScript): ScanReport {
        val extra = if (self.instance.actionFn != null) listOf(self) else emptyList()
        val runner = runnerFor(plan, extra)
        // the plan's outputs through the same job as the CLI: opened before the first packet, closed on failure
        val job = ScanJob(plan, options = ReportOptions(version = version, commandLine = self.id))
        val config = if (runner == null) engine else engine.withStages(ScriptStage(runner))
        return runBlocking { job.report(config) }
    }

    private fun sourceCode(source: ScriptSource): SourceCode = source.file?.toScriptSource() ?: source.text.toScriptSource(source.name)

    private fun evaluate(source: ScriptSource, env: ScriptEnvironment): ScanScript {
        val script = compiled.compile(sourceCode(source), { scanConfig }, "scan.kts", ScriptClasspath.kmap)
        val config = ScriptEvaluationConfiguration(ScanScriptEvaluation()) { constructorArgs(env) }
        return evaluated(source, script, config) as ScanScript
    }

    private fun runMainKts(source: ScriptSource, args: List<String>) {
        val config = { createJvmCompilationConfigurationFromTemplate<MainKtsScript>() }
        val script = compiled.compile(sourceCode(source), config, "main.kts\n" + mainKtsInputs(source), ScriptClasspath.kmap)
        val evaluation = createJvmEvaluationConfigurationFromTemplate<MainKtsScript>().with { constructorArgs(args.toTypedArray()) }
        evaluated(source, script, evaluation)
    }

    /** What a main.kts compile depends on besides its text: its `@file:Import`ed files (transitively). */
    private fun mainKtsInputs(source: ScriptSource, seen: MutableSet<File> = HashSet()): String {
        val dir = source.file?.absoluteFile?.parentFile ?: return ""
        return IMPORT.findAll(source.text).joinToString("\n") { m ->
            val f = File(dir, m.groupValues[1]).canonicalFile
            if (!seen.add(f) || !f.isFile) "${f.path}:missing" else "${f.path}:${f.readText()}\n" + mainKtsInputs(ScriptSource(f.name, f.readText(), f), seen)
        }
    }

    private fun evaluated(source: ScriptSource, script: CompiledScript, config: ScriptEvaluationConfiguration): Any? {
        val result = runBlocking { BasicJvmScriptEvaluator()(script, config) }
        val value = when (result) {
            is ResultWithDiagnostics.Success -> result.value.returnValue
            is ResultWithDiagnostics.Failure -> throw ScriptFailedException(result.reports.joinToString("; ") { "${source.name}: ${it.message}" }, result.reports.firstNotNullOfOrNull { it.exception })
        }
        if (value is ResultValue.Error) {
            val e = value.error
            val line = e.stackTrace.firstOrNull { it.fileName == source.name && it.lineNumber > 0 }?.lineNumber
            val at = if (line != null) "${source.name}:$line" else source.name
            val text = e.message?.lineSequence()?.firstOrNull()?.let { "${e.javaClass.simpleName}: $it" } ?: e.javaClass.simpleName
            throw ScriptFailedException("$at: $text", e)
        }
        return value.scriptInstance
    }

    public companion object {
        /** Environment variable naming the compiled-script cache directory (empty: no cache). */
        public const val CACHE_ENV: String = "KMAP_SCRIPT_CACHE"

        /** System property that overrides [CACHE_ENV]. */
        public const val CACHE_PROPERTY: String = "kmap.script.cache"

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
