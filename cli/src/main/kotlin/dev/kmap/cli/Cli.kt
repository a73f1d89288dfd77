package dev.kmap.cli

import com.github.ajalt.clikt.core.CliktError
import com.github.ajalt.clikt.core.NoSuchOption
import com.github.ajalt.clikt.core.PrintHelpMessage
import com.github.ajalt.clikt.core.PrintMessage
import com.github.ajalt.clikt.core.UsageError
import com.github.ajalt.clikt.core.parse
import com.github.ajalt.clikt.output.ParameterFormatter
import dev.kmap.dsl.SecretArguments
import dev.kmap.dsl.TargetSpec
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.report.Problem
import dev.kmap.store.RecordSettings
import java.io.PrintStream

/**
 * The command line, callable in-process: tests call [run] with captured streams. Exit codes:
 * 0 done (every expectation of `--expect` holds), 1 the scan failed (a tool error), 2 bad usage or
 * input, 3 an expectation was violated, 130 interrupted. Subcommands are dispatched from
 * [Subcommands.all]; a scan's failures are worded by the job layer's [Problem], as the Gradle
 * plugin words them, and shown here with a hint.
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
            val sub = Subcommands.all.firstOrNull { it.name == args.firstOrNull() }
            sub?.run?.invoke(Subcommands.Call(args.drop(1), out, err, control)) ?: scan(args, out, err, control, terminal, engine, observer)
        } catch (e: UserError) {
            usage(err, e.message, e.hint)
        }
    }

    private fun scan(
        args: List<String>, out: PrintStream, err: PrintStream, control: ScanControl, terminal: Boolean,
        engine: EngineConfig, observer: (ScanEvent) -> Unit,
    ): Int {
        val command = ScanCommand(engine.modules)
        val known = command.registeredOptions().flatMap { it.names }.toSet() + setOf("-h", "--help")
        val valueOptions = command.registeredOptions().filter { it.nvalues != 0..0 }.flatMap { it.names }.toSet()
        val argv = NmapArgs.normalize(args, valueOptions)
        NmapArgs.unknownOption(argv, known, valueOptions)?.let { unknown ->
            val guess = NmapArgs.closest(unknown, known)?.let { " (did you mean $it?)" } ?: ""
            throw UserError("no such option $unknown$guess", Hints.HELP)
        }
        try {
            command.parse(argv)
        } catch (e: PrintHelpMessage) {
            out.print(command.getFormattedHelp(e)); out.println(); return EXIT_OK
        } catch (e: PrintMessage) {
            out.println(e.message); return EXIT_OK
        } catch (e: UserError) {
            return usage(err, e.message, e.hint)
        } catch (e: NoSuchOption) {
            return usage(err, e.formatMessage(command.currentContext.localization, ParameterFormatter.Plain), Hints.HELP)
        } catch (e: UsageError) {
            return usage(err, e.formatMessage(command.currentContext.localization, ParameterFormatter.Plain), Hints.HELP)
        } catch (e: CliktError) {
            return usage(err, e.message ?: "invalid arguments", Hints.HELP)
        }
        val store = command.storeOptions
        return try {
            store.resume?.let { target -> return ResumeRun.run(target, store.url()!!, out, err, control, terminal, engine, observer) }
            val parsed = command.options ?: return EXIT_OK
            // target files are read once: the engine and the stored scan (for --resume) get the same lines
            val files = (parsed.plan.targets.includes + parsed.plan.targets.excludes).filterIsInstance<TargetSpec.File>()
                .map { it.path }.distinct().associateWith { engine.readLines(it) }
            val engineWithFiles = if (files.isEmpty()) engine else engine.copy(readLines = { p -> files[p] ?: engine.readLines(p) })
            // secret script arguments never reach the report or the store
            val line = commandLine(SecretArguments.redactCommandLine(args, parsed.secretArguments))
            val recorded = store.url()?.let { url ->
                val settings = RecordSettings(
                    commandLine = line, version = Version.text, verbosity = parsed.verbosity, debugging = parsed.debugging,
                    showReason = parsed.showReason, openOnly = parsed.openOnly, arguments = args, targetFiles = files, groupId = store.group(),
                )
                ScanRecording.start(url, parsed, settings, err)
            }
            val options = recorded?.second ?: parsed
            // closed here too when the run fails before its job starts (a bad script selector): never left "running"
            recorded?.first.use { ScanRun(options, Version.text, line, out, err, terminal, control, engineWithFiles, observer, it).execute() }
        } catch (e: UserError) {
            usage(err, e.message, e.hint)
        } catch (e: ScriptSupport.Failure) {
            e.lines.forEach { err.println(it) }
            e.exit
        } catch (e: Exception) {
            val p = Problem.of(e)
            when (p.kind) {
                Problem.Kind.INPUT -> usage(err, p.message, p.advice ?: hintFor(p.message))
                Problem.Kind.UNAVAILABLE -> usage(err, p.message, Hints.RAW)
                Problem.Kind.IO -> { err.println("kmap: ${p.message}"); p.kind.exitStatus }
                Problem.Kind.BUG -> {
                    // a bug or an unexpected condition: one line, the stack trace only with -d
                    err.println("kmap: ${p.message}")
                    if (command.debug > 0) e.printStackTrace(err) else err.println("hint: rerun with -d for the stack trace")
                    p.kind.exitStatus
                }
            }
        }
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

    /** The command line as a shell would need it, for reports (`args=` in XML, `# … as:` lines); pass it [SecretArguments.redactCommandLine]d. */
    fun commandLine(args: List<String>): String = (listOf("kmap") + args).joinToString(" ") { word ->
        if (word.isNotEmpty() && word.all { it.isLetterOrDigit() || it in "-_./:,=+@%^[]" }) word
        else "'" + word.replace("'", "'\\''") + "'"
    }
}
