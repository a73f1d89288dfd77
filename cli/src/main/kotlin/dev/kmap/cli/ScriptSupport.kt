package dev.kmap.cli

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanStage
import dev.kmap.script.ScriptStage
import dev.kmap.script.ScriptArgs
import dev.kmap.script.ScriptCompileException
import dev.kmap.script.ScriptFailedException
import dev.kmap.script.ScriptHost
import dev.kmap.script.ScriptLibrary
import dev.kmap.script.ScriptSelectionException
import java.io.File
import kotlin.time.Duration

/**
 * Everything the CLI does with scripts, in one place so the scripting classes (and the Kotlin
 * compiler behind them) load only when scripts are used.
 */
internal object ScriptSupport {
    /** A script problem with its own report lines and exit status (compile errors: status 2). */
    class Failure(val lines: List<String>, val exit: Int) : Exception(lines.firstOrNull())

    fun parseArgs(text: String): Map<String, String> = ScriptArgs.parse(text).values

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
    fun run(file: String, args: List<String>, scriptArgsText: String?, timeout: Duration?, call: Subcommands.Call): Int {
        val (out, err) = call.out to call.err
        val scriptArgs = scriptArgsText?.let { a ->
            try { ScriptArgs.parse(a) } catch (e: IllegalArgumentException) { throw UserError("--script-args: ${e.message}", Hints.SCRIPTS) }
        } ?: ScriptArgs.EMPTY
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

    private fun host(version: String, args: ScriptArgs, timeout: Duration?, engine: EngineConfig = EngineConfig(progressIntervalMillis = 0)) =
        if (timeout == null) ScriptHost(version = version, scriptArgs = args, engine = engine)
        else ScriptHost(version = version, scriptArgs = args, budget = timeout, engine = engine)

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
