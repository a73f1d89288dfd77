package dev.kmap.cli

import com.github.ajalt.clikt.core.CliktError
import com.github.ajalt.clikt.core.CoreCliktCommand
import com.github.ajalt.clikt.core.PrintHelpMessage
import com.github.ajalt.clikt.core.UsageError
import com.github.ajalt.clikt.core.parse
import com.github.ajalt.clikt.output.ParameterFormatter
import com.github.ajalt.clikt.parameters.groups.provideDelegate
import com.github.ajalt.clikt.parameters.options.multiple
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.int
import dev.kmap.cli.options.OutputOptions
import dev.kmap.cli.options.time
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.PassivePlan
import dev.kmap.dsl.PassiveSource
import dev.kmap.dsl.passive
import dev.kmap.engine.ScanControl
import dev.kmap.packet.PacketIoException
import dev.kmap.passive.CaptureFormatException
import dev.kmap.passive.CaptureStats
import dev.kmap.passive.PASSIVE_PLAN
import dev.kmap.passive.PassiveEvent
import dev.kmap.passive.PassiveListener
import dev.kmap.passive.passiveScanEvents
import dev.kmap.report.Problem
import dev.kmap.report.ScanJob
import dev.kmap.report.format.ReportOptions
import kotlinx.coroutines.runBlocking
import java.io.BufferedWriter
import java.io.File
import java.io.OutputStreamWriter
import java.io.PrintStream

/**
 * `kmap passive -r FILE | -i IFACE [options]`: reports the hosts and services seen in a capture
 * without sending a packet, in the same outputs as a scan. Ctrl-C stops a live capture and still
 * writes every output with what was found.
 */
internal class PassiveCommand : CoreCliktCommand(name = "kmap passive") {
    override fun help(context: com.github.ajalt.clikt.core.Context): String = """
        Passive discovery: reads pcap/pcapng files (-r) or captures on an interface (-i) and reports the hosts, services, software versions, DNS names, TLS server names and OS hints it sees, without sending anything. Outputs are those of a scan (-oN, -oX, -oG, -oJ, -oA, --ndjson, --csv, --html).
    """.trimIndent()

    val read by option("-r", metavar = "FILE", help = "Read a pcap or pcapng file (repeatable; - for stdin)").multiple()
    val iface by option("-i", metavar = "IFACE", help = "Capture live on IFACE (needs root or CAP_NET_RAW)")
    val filter by option("-f", metavar = "FILTER", help = "Capture filter for -i, libpcap syntax (e.g. \"tcp port 443 or udp port 53\")")
    val snapLength by option("-s", metavar = "BYTES", help = "Bytes kept of each captured packet with -i (default 65535)").int()
    val duration by option("--passive-duration", metavar = "TIME", help = "Stop a live capture after TIME (30s, 5m); default: until Ctrl-C").time()
    val maxFlows by option("--max-flows", metavar = "N", help = "Flows tracked at once (default 100000; the least recently seen is evicted)").int()
    val maxBuffer by option("--max-buffer", metavar = "BYTES", help = "Out-of-order bytes buffered per flow (default 262144)").int()
    val maxMemory by option("--max-buffer-total", metavar = "BYTES", help = "Bytes buffered in all flows and parsers (default 67108864)")
    val osDb by option("--os-db", metavar = "FILE", help = "p0f signature file for OS hints (e.g. /etc/p0f/p0f.fp) instead of kmap's own")
    val output by OutputOptions()

    var plan: PassivePlan? = null
        private set

    override fun run() {
        if (read.isEmpty() && iface == null) throw UserError("kmap passive needs -r FILE or -i IFACE", HINT)
        if (read.isNotEmpty() && iface != null) throw UserError("-r and -i contradict each other", "read files (-r) or capture live (-i), not both")
        if (iface == null && (filter != null || duration != null || snapLength != null)) {
            throw UserError("${listOfNotNull(filter?.let { "-f" }, duration?.let { "--passive-duration" }, snapLength?.let { "-s" }).first()} needs -i IFACE", HINT)
        }
        for (f in read) if (f != "-") {
            val file = File(f)
            val why = when { !file.exists() -> "no such file"; file.isDirectory -> "it is a directory"; !file.canRead() -> "permission denied"; else -> null }
            if (why != null) throw UserError("cannot read -r file \"$f\": $why", Hints.FILE)
        }
        osDb?.let { if (!File(it).canRead()) throw UserError("cannot read --os-db file \"$it\"", Hints.FILE) }
        val total = maxMemory?.let { it.toLongOrNull() ?: throw UserError("invalid --max-buffer-total \"$it\" (expected a number of bytes)", HINT) }
        val durationMillis = duration?.inWholeMilliseconds
        val outputs = output.specs()
        val cmd = this
        plan = try {
            passive {
                cmd.read.forEach { read(it) }
                cmd.iface?.let { listen(it, cmd.filter, cmd.snapLength ?: 65535) }
                durationMillis?.let { duration(it) }
                cmd.osDb?.let { osDatabase(it) }
                limits {
                    cmd.maxFlows?.let { maxFlows = it }
                    cmd.maxBuffer?.let { maxBufferPerFlow = it }
                    total?.let { maxBufferTotal = it }
                }
                output { outputs.forEach { format(it.format, it.path) } }
            }
        } catch (e: InvalidSpecException) {
            throw UserError(e.message ?: "invalid input", HINT)
        }
    }

    companion object {
        const val HINT = "kmap passive -r capture.pcap [-oX out.xml], or kmap passive -i eth0 -f \"tcp or udp port 53\" --passive-duration 60s"

        /** Parses and runs `kmap passive args`; the exit code. */
        fun main(args: List<String>, out: PrintStream, err: PrintStream, control: ScanControl, commandLine: String): Int {
            val cmd = PassiveCommand()
            try {
                cmd.parse(args)
            } catch (e: PrintHelpMessage) {
                out.print(cmd.getFormattedHelp(e)); out.println(); return Cli.EXIT_OK
            } catch (e: UsageError) {
                throw UserError(e.formatMessage(cmd.currentContext.localization, ParameterFormatter.Plain), HINT)
            } catch (e: CliktError) {
                throw UserError(e.message ?: "invalid arguments", HINT)
            }
            val plan = cmd.plan ?: return Cli.EXIT_OK
            val verbosity = cmd.output.verbose
            val options = ReportOptions(
                version = Version.text, commandLine = commandLine, verbosity = verbosity, debugging = cmd.output.debug,
                showReason = cmd.output.reason, openOnly = cmd.output.openOnly, portsObserved = true,
            )
            val stdout = BufferedWriter(OutputStreamWriter(out, Charsets.UTF_8))
            var totals: CaptureStats? = null
            val listener = PassiveListener { e ->
                if (e is PassiveEvent.Finished) totals = e.stats
                if (verbosity > 0 && e is PassiveEvent.Message) synchronized(stdout) { stdout.append("${e.flow} ${if (e.fromInitiator) ">" else "<"} ${e.message}\n") }
            }
            val job = ScanJob(
                plan = PASSIVE_PLAN,
                outputs = plan.outputs,
                options = options,
                sinks = if (plan.outputs.none { it.path == "-" }) listOf(TerminalSink(options, stdout, null)) else emptyList(),
                inputs = plan.sources.filterIsInstance<PassiveSource.File>().filter { it.path != "-" }.map { "-r" to it.path } +
                    listOfNotNull(plan.osDatabase?.let { "--os-db" to it }),
                stdout = stdout,
            )
            val outcome = try {
                runBlocking { job.run(passiveScanEvents(plan, listener = listener, stop = { control.isStopped })) }
            } catch (e: CaptureFormatException) {
                err.println("kmap: ${e.message}"); return Cli.EXIT_USAGE
            } catch (e: PacketIoException) {
                err.println("kmap: ${e.message}"); return Cli.EXIT_FAILED
            } catch (e: IllegalArgumentException) { // a bad --os-db file
                err.println("kmap: ${e.message?.lineSequence()?.first()}"); return Cli.EXIT_USAGE
            } catch (e: Exception) {
                val p = Problem.of(e)
                if (p.kind == Problem.Kind.INPUT) throw UserError(p.message, p.advice ?: Hints.OUTPUT)
                err.println("kmap: ${p.message}"); return p.kind.exitStatus
            } finally {
                stdout.flush()
            }
            val s = totals ?: return Cli.EXIT_FAILED
            val hosts = outcome.stats.hostsUp
            err.println("kmap: passive: ${s.frames} frames, ${s.flows} flows, $hosts hosts" +
                (if (s.malformed > 0) ", ${s.malformed} malformed" else "") + (if (s.fragments > 0) ", ${s.fragments} fragments not reassembled" else "") +
                (if (s.evicted > 0) ", ${s.evicted} flows evicted (--max-flows)" else "") + (if (s.droppedBytes > 0) ", ${s.droppedBytes} bytes dropped by reassembly" else "") +
                (if (s.truncatedFile) ", the file ends inside a packet" else "") + (if (s.kernelDropped > 0) ", ${s.kernelDropped} dropped by the kernel" else ""))
            if (s.interrupted) { err.println("kmap: interrupted: partial results written"); return Cli.EXIT_INTERRUPTED }
            return Cli.EXIT_OK
        }
    }
}
