package dev.kmap.cli

import com.github.ajalt.clikt.core.CliktError
import com.github.ajalt.clikt.core.NoSuchOption
import com.github.ajalt.clikt.core.PrintHelpMessage
import com.github.ajalt.clikt.core.PrintMessage
import com.github.ajalt.clikt.core.UsageError
import com.github.ajalt.clikt.core.parse
import com.github.ajalt.clikt.output.ParameterFormatter
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanUnavailableException
import java.io.IOException
import java.io.PrintStream

/**
 * The command line, callable in-process: tests call [run] with captured streams. Exit codes:
 * 0 done (every expectation of `--expect` holds), 1 the scan failed (a tool error), 2 bad usage or
 * input, 3 an expectation was violated, 130 interrupted.
 */
internal object Cli {
    const val EXIT_OK = 0
    const val EXIT_FAILED = 1
    const val EXIT_USAGE = 2
    const val EXIT_VIOLATED = 3
    const val EXIT_INTERRUPTED = 130

    /**
     * Runs `kmap args`. [terminal] says stderr is a terminal (progress bar); [control] stops a
     * scan gracefully (Main's Ctrl-C hook); [observer] sees every scan event (tests).
     */
    fun run(
        args: List<String>,
        out: PrintStream,
        err: PrintStream,
        control: ScanControl = ScanControl(),
        terminal: Boolean = false,
        engine: EngineConfig = EngineConfig(),
        observer: (ScanEvent) -> Unit = {},
    ): Int {
        if (args == listOf("--version") || args == listOf("-V")) { out.println("kmap version ${Version.text}"); return EXIT_OK }
        return try {
            when (args.firstOrNull()) {
                "version" -> version(args.drop(1), out)
                "run" -> run(args.drop(1), out, err)
                "self-test" -> selfTest(args.drop(1), out)
                "passive" -> PassiveCommand.main(args.drop(1), out, err, control, commandLine(args))
                else -> scan(args, out, err, control, terminal, engine, observer)
            }
        } catch (e: UserError) {
            usage(err, e.message ?: "invalid arguments", e.hint)
        }
    }

    private fun scan(
        args: List<String>, out: PrintStream, err: PrintStream, control: ScanControl, terminal: Boolean,
        engine: EngineConfig, observer: (ScanEvent) -> Unit,
    ): Int {
        val command = ScanCommand(engine.modules)
        val argv = NmapArgs.normalize(args)
        val known = command.registeredOptions().flatMap { it.names }.toSet() + setOf("-h", "--help")
        NmapArgs.unknownOption(argv, known)?.let { unknown ->
            val guess = NmapArgs.closest(unknown, known)?.let { " (did you mean $it?)" } ?: ""
            throw UserError("no such option $unknown$guess", Hints.HELP)
        }
        try {
            command.parse(argv)
        } catch (e: PrintHelpMessage) {
            out.print(command.getFormattedHelp(e)); out.println(); return EXIT_OK
        } catch (e: PrintMessage) {
            out.println(e.message); return EXIT_OK
        } catch (e: NoSuchOption) {
            return usage(err, e.formatMessage(command.currentContext.localization, ParameterFormatter.Plain), Hints.HELP)
        } catch (e: UsageError) {
            return usage(err, e.formatMessage(command.currentContext.localization, ParameterFormatter.Plain), Hints.HELP)
        } catch (e: CliktError) {
            return usage(err, e.message ?: "invalid arguments", Hints.HELP)
        }
        val plan = command.plan ?: return EXIT_OK
        return try {
            ScanRun(plan, command, Version.text, commandLine(args), out, err, terminal, control, engine, observer).execute()
        } catch (e: InvalidSpecException) {
            usage(err, e.message ?: "invalid input", hintFor(e.message ?: ""))
        } catch (e: ScanUnavailableException) {
            usage(err, e.message ?: "scan unavailable", Hints.RAW)
        } catch (e: ScriptSupport.Failure) {
            e.lines.forEach { err.println(it) }
            e.exit
        } catch (e: IOException) {
            err.println("kmap: ${e.message ?: e.javaClass.simpleName}")
            EXIT_FAILED
        } catch (e: RuntimeException) {
            // a bug or an unexpected condition: one line, the stack trace only with -d
            err.println("kmap: the scan failed: ${e.javaClass.simpleName}: ${(e.message ?: "").lineSequence().firstOrNull().orEmpty()}")
            if (command.debug > 0) e.printStackTrace(err) else err.println("hint: rerun with -d for the stack trace")
            EXIT_FAILED
        }
    }

    private fun version(args: List<String>, out: PrintStream): Int {
        if (args.isNotEmpty()) throw UserError("kmap version takes no arguments (got ${args.first()})", "kmap version")
        out.println("kmap version ${Version.text}")
        out.println("Kotlin ${KotlinVersion.CURRENT}, JVM ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}")
        out.println("${System.getProperty("os.name")} ${System.getProperty("os.version")} ${System.getProperty("os.arch")}")
        return EXIT_OK
    }

    private fun run(args: List<String>, out: PrintStream, err: PrintStream): Int {
        if (args.firstOrNull() in setOf("-h", "--help")) {
            out.println("Usage: ${ScriptSupport.RUN_HINT}\n")
            out.println("Runs a Kotlin script: a .scan.kts (the scan DSL and script API imported; args after FILE are its `args`)")
            out.println("or a standard .main.kts (@file:DependsOn, @file:Repository, @file:Import; kmap's API on the class path).")
            out.println("Compiled scripts are cached in \$XDG_CACHE_HOME/kmap/scripts (KMAP_SCRIPT_CACHE overrides; empty disables).")
            out.println("Exit status: 0 done, 1 the script failed, 2 bad usage or a compile error (file:line:column: message).")
            return EXIT_OK
        }
        return ScriptSupport.run(args, out, err)
    }

    private fun selfTest(args: List<String>, out: PrintStream): Int {
        if (args.firstOrNull() in setOf("-h", "--help")) {
            out.println("Usage: kmap self-test\n\nChecks what kmap needs: privileges, libpcap, raw sockets, interfaces, DNS, loopback, database.")
            out.println("Prints PASS/FAIL/SKIP per check; exits 0 when every essential check passes, 1 otherwise.")
            return EXIT_OK
        }
        if (args.isNotEmpty()) throw UserError("kmap self-test takes no arguments (got ${args.first()})", "kmap self-test")
        return SelfTest(SelfTest.defaultChecks()).run(out)
    }

    private fun usage(err: PrintStream, message: String, hint: String): Int {
        err.println("kmap: ${message.lineSequence().first().trim()}")
        err.println("hint: $hint")
        return EXIT_USAGE
    }

    private fun hintFor(message: String): String = when {
        "file" in message -> Hints.FILE
        "port" in message -> Hints.PORTS
        "target" in message || "resolve" in message -> Hints.TARGETS
        else -> Hints.HELP
    }

    /** The command line as a shell would need it, for reports (`args=` in XML, `# … as:` lines). */
    fun commandLine(args: List<String>): String = (listOf("kmap") + args).joinToString(" ") { word ->
        if (word.isNotEmpty() && word.all { it.isLetterOrDigit() || it in "-_./:,=+@%^[]" }) word
        else "'" + word.replace("'", "'\\''") + "'"
    }
}
