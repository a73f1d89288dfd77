package dev.kmap.cli

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScriptArgsText
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanStage
import dev.kmap.script.ScriptArgs
import dev.kmap.script.ScriptCompileException
import dev.kmap.script.ScriptFailedException
import dev.kmap.script.ScriptHost
import dev.kmap.script.ScriptLibrary
import dev.kmap.script.ScriptSelectionException
import dev.kmap.script.ScriptStage
import java.io.File
import kotlin.time.Duration

/**
 * Everything the CLI does with scripts, in one place so the scripting classes (and the Kotlin
 * compiler behind them) load only when scripts are used.
 */
internal object ScriptSupport {
    /** A script problem with its own report lines and exit status (compile errors: status 2). */
    class Failure(val lines: List<String>, val exit: Int) : Exception(lines.firstOrNull())

    /**
     * The script arguments of `--script-args-file FILE` overridden by `--script-args TEXT` (null
     * when neither is given), with `env:NAME` values read from the environment ([env]).
     */
    fun scriptArgs(text: String?, file: String?, env: (String) -> String? = System::getenv): Map<String, String>? {
        if (text == null && file == null) return null
        val fromFile = file?.let { f ->
            try { ScriptArgsText.parseFile(File(f).readText(), f) } catch (e: InvalidSpecException) { throw UserError("--script-args-file ${e.message}", Hints.SCRIPTS) }
        }.orEmpty()
        val given = text?.let { a -> try { ScriptArgsText.parse(a) } catch (e: InvalidSpecException) { throw UserError("--script-args: ${e.message}", Hints.SCRIPTS) } }.orEmpty()
        return (fromFile + given).mapValues { (name, value) ->
            if (!value.startsWith(ENV_PREFIX)) return@mapValues value
            val variable = value.removePrefix(ENV_PREFIX)
            if (!ENV_NAME.matches(variable)) throw UserError("script argument $name: invalid environment variable name \"$variable\" (expected $ENV_PREFIX followed by a name such as REDIS_PASSWORD)", Hints.SCRIPTS)
            env(variable) ?: throw UserError("script argument $name: environment variable $variable is not set", Hints.SCRIPTS)
        }
    }

    /** Argument names that the scripts [selectors] pick declare secret. */
    fun declaredSecrets(selectors: List<String>): Set<String> = try {
        ScriptLibrary.secretArguments(ScriptLibrary.builtIn().select(selectors))
    } catch (e: ScriptSelectionException) {
        emptySet()
    }

    private const val ENV_PREFIX = "env:"
    private val ENV_NAME = Regex("[A-Za-z_][A-Za-z0-9_]*")

    /** Null when every selector names something, else the one-line error. */
    fun checkSelectors(selectors: List<String>): String? = try {
        ScriptLibrary.builtIn().select(selectors); null
    } catch (e: ScriptSelectionException) {
        e.message
    }

    /** The scripts stage for [plan]'s scripts; compile errors become a [Failure] with status 2. */
    fun stage(plan: ScanPlan, version: String, timeout: Duration?): ScanStage? = guarded {
        host(version, ScriptArgs.EMPTY, timeout).runnerFor(plan)?.let(::ScriptStage)
    }

    /** `kmap run`, parsed by [RunCommand]: runs [file] with [args]. */
    fun run(file: String, args: List<String>, scriptArgs: Map<String, String>?, timeout: Duration?, call: Subcommands.Call): Int {
        val (out, err) = call.out to call.err
        val scriptArgs = scriptArgs?.let(::ScriptArgs) ?: ScriptArgs.EMPTY
        // scripts print with println: to the stream the CLI was given (tests capture it)
        val saved = System.out
        if (out !== saved) System.setOut(out)
        return try {
            // the scans the script runs stop gracefully on Ctrl-C, closing their outputs
            guarded { host(Version.text, scriptArgs, timeout, EngineConfig(control = call.control, progressIntervalMillis = 0)).runFile(File(file), args) }
            Cli.EXIT_OK
        } catch (e: Failure) {
            e.lines.forEach { err.println(it) }
            e.exit
        } finally {
            out.flush()
            if (out !== saved) System.setOut(saved)
        }
    }

    /** Ends the worker JVM of a [stage] made here. */
    fun close(stage: ScanStage) {
        (stage as? ScriptStage)?.runner?.close()
    }

    private fun host(version: String, args: ScriptArgs, timeout: Duration?, engine: EngineConfig = EngineConfig(progressIntervalMillis = 0)) =
        if (timeout == null) ScriptHost(version = version, scriptArgs = args, engine = engine)
        else ScriptHost(version = version, scriptArgs = args, budget = timeout, engine = engine, mainKtsBudget = timeout)

    private fun <T> guarded(block: () -> T): T = try {
        block()
    } catch (e: ScriptCompileException) {
        throw Failure(e.errors, Cli.EXIT_USAGE)
    } catch (e: ScriptFailedException) {
        throw Failure(listOf("kmap: ${e.message}"), Cli.EXIT_FAILED)
    } catch (e: ScriptSelectionException) {
        throw UserError(e.message ?: "invalid script", Hints.SCRIPTS)
    }

    /** `kmap run`'s usage line, the hint of its errors. */
    const val RUN_HINT = RunCommand.USAGE
}
