package dev.kmap.cli

import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.ScanStage
import dev.kmap.script.ScriptStage
import dev.kmap.script.ScriptArgs
import dev.kmap.script.ScriptCompileException
import dev.kmap.script.ScriptFailedException
import dev.kmap.script.ScriptHost
import dev.kmap.script.ScriptLibrary
import dev.kmap.script.ScriptSelectionException
import java.io.File
import java.io.PrintStream
import kotlin.time.Duration.Companion.milliseconds

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
    fun stage(plan: ScanPlan, version: String, timeoutMillis: Long?): ScanStage? = guarded {
        host(version, ScriptArgs.EMPTY, timeoutMillis).runnerFor(plan)?.let(::ScriptStage)
    }

    /** `kmap run [--script-args A] [--script-timeout T] FILE [args...]`. */
    fun run(args: List<String>, out: PrintStream, err: PrintStream): Int {
        var i = 0
        var scriptArgs = ScriptArgs.EMPTY
        var timeout: Long? = null
        while (i < args.size && args[i].startsWith("--")) {
            val (name, inline) = args[i].split('=', limit = 2).let { it[0] to it.getOrNull(1) }
            val value = inline ?: args.getOrNull(i + 1) ?: throw UserError("$name needs a value", RUN_HINT)
            when (name) {
                "--script-args" -> scriptArgs = try { ScriptArgs.parse(value) } catch (e: IllegalArgumentException) { throw UserError("--script-args: ${e.message}", Hints.SCRIPTS) }
                "--script-timeout" -> timeout = TimeSpec.millis("--script-timeout", value)
                else -> throw UserError("kmap run: no such option $name", RUN_HINT)
            }
            i += if (inline == null) 2 else 1
        }
        val file = args.getOrNull(i) ?: throw UserError("kmap run needs a script file", RUN_HINT)
        // scripts print with println: to the stream the CLI was given (tests capture it)
        val saved = System.out
        if (out !== saved) System.setOut(out)
        return try {
            guarded { host(Version.text, scriptArgs, timeout).runFile(File(file), args.drop(i + 1)) }
            Cli.EXIT_OK
        } catch (e: Failure) {
            e.lines.forEach { err.println(it) }
            e.exit
        } finally {
            out.flush()
            if (out !== saved) System.setOut(saved)
        }
    }

    private fun host(version: String, args: ScriptArgs, timeoutMillis: Long?) =
        if (timeoutMillis == null) ScriptHost(version = version, scriptArgs = args)
        else ScriptHost(version = version, scriptArgs = args, budget = timeoutMillis.milliseconds)

    private fun <T> guarded(block: () -> T): T = try {
        block()
    } catch (e: ScriptCompileException) {
        throw Failure(e.errors, Cli.EXIT_USAGE)
    } catch (e: ScriptFailedException) {
        throw Failure(listOf("kmap: ${e.message}"), Cli.EXIT_FAILED)
    } catch (e: ScriptSelectionException) {
        throw UserError(e.message ?: "invalid script", Hints.SCRIPTS)
    }

    const val RUN_HINT = "kmap run [--script-args K=V,...] [--script-timeout TIME] FILE.scan.kts|FILE.main.kts [args]"
}
