package dev.kmap.cli

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScriptArgsText
import dev.kmap.engine.HostProcessor
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

    /** The runner for [plan]'s scripts; compile errors become a [Failure] with status 2. */
    fun processor(plan: ScanPlan, version: String, timeoutMillis: Long?): HostProcessor? = guarded {
        host(version, ScriptArgs.EMPTY, timeoutMillis).runnerFor(plan)
    }

    /** `kmap run [--script-args A] [--script-args-file F] [--script-timeout T] FILE [args...]`. */
    fun run(args: List<String>, out: PrintStream, err: PrintStream): Int {
        var i = 0
        var argsText: String? = null
        var argsFile: String? = null
        var timeout: Long? = null
        while (i < args.size && args[i].startsWith("--")) {
            val (name, inline) = args[i].split('=', limit = 2).let { it[0] to it.getOrNull(1) }
            val value = inline ?: args.getOrNull(i + 1) ?: throw UserError("$name needs a value", RUN_HINT)
            when (name) {
                "--script-args" -> argsText = value
                "--script-args-file" -> argsFile = value
                "--script-timeout" -> timeout = budgetMillis(value)
                else -> throw UserError("kmap run: no such option $name", RUN_HINT)
            }
            i += if (inline == null) 2 else 1
        }
        val file = args.getOrNull(i) ?: throw UserError("kmap run needs a script file", RUN_HINT)
        argsFile?.let { f -> if (!File(f).isFile || !File(f).canRead()) throw UserError("cannot read --script-args-file file \"$f\"", Hints.FILE) }
        val scriptArgs = scriptArgs(argsText, argsFile)?.let(::ScriptArgs) ?: ScriptArgs.EMPTY
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

    /** `--script-timeout TIME` in milliseconds; 0 would time out every script, so it is refused. */
    fun budgetMillis(text: String): Long = TimeSpec.millis("--script-timeout", text).also {
        if (it <= 0) throw UserError("--script-timeout must be more than 0 (got \"$text\")", "e.g. --script-timeout 30s (the default is 10s)")
    }

    private fun host(version: String, args: ScriptArgs, timeoutMillis: Long?) =
        if (timeoutMillis == null) ScriptHost(version = version, scriptArgs = args)
        else ScriptHost(version = version, scriptArgs = args, budget = timeoutMillis.milliseconds, mainKtsBudget = timeoutMillis.milliseconds)

    private fun <T> guarded(block: () -> T): T = try {
        block()
    } catch (e: ScriptCompileException) {
        throw Failure(e.errors, Cli.EXIT_USAGE)
    } catch (e: ScriptFailedException) {
        throw Failure(listOf("kmap: ${e.message}"), Cli.EXIT_FAILED)
    } catch (e: ScriptSelectionException) {
        throw UserError(e.message ?: "invalid script", Hints.SCRIPTS)
    }

    const val RUN_HINT = "kmap run [--script-args K=V,...] [--script-args-file FILE] [--script-timeout TIME] FILE.scan.kts|FILE.main.kts [args]"
}
