package dev.kmap.cli

import com.github.ajalt.clikt.core.CliktError
import com.github.ajalt.clikt.core.CoreCliktCommand
import com.github.ajalt.clikt.core.UsageError
import com.github.ajalt.clikt.core.context
import com.github.ajalt.clikt.core.parse
import com.github.ajalt.clikt.output.ParameterFormatter
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.arguments.multiple
import com.github.ajalt.clikt.parameters.arguments.optional
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.cli.options.time

/**
 * `kmap run [--script-args K=V,...] [--script-timeout TIME] FILE [args...]`: the same option
 * declarations and conversions as the scan's (`--script-timeout` is a time like
 * `--host-timeout`); everything after FILE is the script's own `args`.
 */
internal class RunCommand : CoreCliktCommand(name = "kmap run") {
    init { context { allowInterspersedArgs = false } }

    val scriptArgs by option("--script-args", metavar = "K=V,...", help = "Script arguments: name=value, comma-separated")
    val scriptTimeout by option("--script-timeout", metavar = "TIME", help = "Time budget of each script action (default 10s)").time()
    val file by argument(name = "FILE", help = "A .scan.kts or .main.kts script").optional()
    val args by argument(name = "ARGS", help = "The script's arguments").multiple()

    override fun run() = Unit

    companion object {
        const val USAGE = "kmap run [--script-args K=V,...] [--script-timeout TIME] FILE.scan.kts|FILE.main.kts [args]"

        fun run(call: Subcommands.Call): Int {
            val (args, out) = call.args to call.out
            if (args.firstOrNull() in setOf("-h", "--help")) {
                out.println("Usage: $USAGE\n")
                out.println("Runs a Kotlin script: a .scan.kts (the scan DSL and script API imported; args after FILE are its `args`)")
                out.println("or a standard .main.kts (@file:DependsOn, @file:Repository, @file:Import; kmap's API on the class path).")
                out.println("Compiled scripts are cached in \$XDG_CACHE_HOME/kmap/scripts (KMAP_SCRIPT_CACHE overrides; empty disables).")
                out.println("Exit status: 0 done, 1 the script failed, 2 bad usage or a compile error (file:line:column: message).")
                return Cli.EXIT_OK
            }
            val command = RunCommand()
            try {
                command.parse(args)
            } catch (e: UserError) {
                throw e
            } catch (e: UsageError) {
                throw UserError("kmap run: " + e.formatMessage(command.currentContext.localization, ParameterFormatter.Plain), USAGE)
            } catch (e: CliktError) {
                throw UserError("kmap run: ${e.message}", USAGE)
            }
            val file = command.file ?: throw UserError("kmap run needs a script file", USAGE)
            return ScriptSupport.run(file, command.args, command.scriptArgs, command.scriptTimeout, call)
        }
    }
}
