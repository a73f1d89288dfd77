package dev.kmap.cli

import com.github.ajalt.clikt.core.CliktError
import com.github.ajalt.clikt.core.PrintHelpMessage
import com.github.ajalt.clikt.core.PrintMessage
import com.github.ajalt.clikt.core.UsageError
import com.github.ajalt.clikt.core.parse
import com.github.ajalt.clikt.output.ParameterFormatter
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanUnavailableException
import dev.kmap.engine.output.JsonFormat
import dev.kmap.engine.output.NdjsonFormat
import dev.kmap.engine.output.NormalFormat
import dev.kmap.engine.output.ReportFormatter
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.runBlocking
import java.io.File
import java.io.IOException
import java.io.PrintStream
import java.io.Writer

/**
 * The command line, callable in-process (tests use [run] with captured streams). Exit codes:
 * 0 done, 1 the scan failed, 2 bad usage or input, 130 interrupted.
 */
internal object Cli {
    const val EXIT_OK = 0
    const val EXIT_FAILED = 1
    const val EXIT_USAGE = 2
    const val EXIT_INTERRUPTED = 130

    fun run(args: List<String>, out: PrintStream, err: PrintStream, control: ScanControl = ScanControl()): Int {
        when (args.firstOrNull()) {
            "version" -> { out.println("kmap version ${Version.text}"); return EXIT_OK }
            "run" -> return usage(err, "subcommand run is not supported yet (the script runner has not landed)")
            "self-test" -> return usage(err, "subcommand self-test is not supported yet")
        }
        val command = ScanCommand()
        try {
            command.parse(NmapArgs.normalize(args))
        } catch (e: PrintHelpMessage) {
            out.print(command.getFormattedHelp(e)); out.println(); return EXIT_OK
        } catch (e: PrintMessage) {
            out.println(e.message); return EXIT_OK
        } catch (e: UsageError) {
            return usage(err, e.formatMessage(command.currentContext.localization, ParameterFormatter.Plain))
        } catch (e: CliktError) {
            return usage(err, e.message ?: "invalid arguments")
        } catch (e: InvalidSpecException) {
            return usage(err, e.message!!)
        }
        val plan = command.plan ?: return EXIT_OK
        return try {
            execute(plan, command, out, control)
        } catch (e: InvalidSpecException) {
            usage(err, e.message!!)
        } catch (e: ScanUnavailableException) {
            usage(err, e.message!!)
        } catch (e: IOException) {
            err.println("kmap: ${e.message ?: e.javaClass.simpleName}")
            EXIT_FAILED
        }
    }

    private fun usage(err: PrintStream, message: String): Int {
        err.println("kmap: ${message.lineSequence().first()}")
        err.println("hint: kmap --help lists every option")
        return EXIT_USAGE
    }

    private class Sink(val formatter: ReportFormatter, val writer: Writer, val closeAfter: Boolean)

    private fun execute(plan: ScanPlan, cmd: ScanCommand, out: PrintStream, control: ScanControl): Int {
        val stdout = out.writer()
        val verbose = cmd.verbose > 0
        val sinks = ArrayList<Sink>()
        sinks += Sink(NormalFormat(verbose, cmd.reason, cmd.openOnly, Version.text), stdout, false)
        try {
            for (o in plan.outputs) {
                val formatter = when (o.format) {
                    OutputFormat.NORMAL -> NormalFormat(verbose, cmd.reason, cmd.openOnly, Version.text)
                    OutputFormat.JSON -> JsonFormat(Version.text)
                    OutputFormat.NDJSON -> NdjsonFormat()
                    else -> throw InvalidSpecException("output format ${o.format.flag} is not supported yet")
                }
                val writer = if (o.path == "-") stdout else File(o.path).bufferedWriter()
                sinks += Sink(formatter, writer, o.path != "-")
            }
            var interrupted = false
            runBlocking {
                scanFlow(plan, EngineConfig(control = control)).collect { e ->
                    when (e) {
                        is ScanEvent.Started -> sinks.forEach { it.formatter.start(plan, e.startedAtMillis, it.writer); it.writer.flush() }
                        is ScanEvent.PortFound -> if (verbose && e.result.state.label.startsWith("open")) {
                            stdout.append("Discovered ${e.result.state.label} port ${e.result.port}/${e.result.protocol.label} on ${e.host.address}\n")
                        }
                        is ScanEvent.HostFinished -> sinks.forEach { it.formatter.host(e.result, it.writer); it.writer.flush() }
                        is ScanEvent.Finished -> {
                            interrupted = e.stats.interrupted
                            sinks.forEach { it.formatter.finish(e.stats, it.writer); it.writer.flush() }
                        }
                        else -> Unit
                    }
                }
            }
            return if (interrupted) EXIT_INTERRUPTED else EXIT_OK
        } finally {
            sinks.forEach { if (it.closeAfter) it.writer.close() else it.writer.flush() }
        }
    }
}
