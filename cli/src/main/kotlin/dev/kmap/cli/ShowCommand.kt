package dev.kmap.cli

import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.dsl.OutputFormat
import dev.kmap.report.format.ReportFormats
import dev.kmap.store.ScanStore
import java.io.PrintStream

/** `kmap show ID`: a stored scan in any output format, byte for byte what the run wrote. */
internal class ShowCommand(out: PrintStream, err: PrintStream) : StoreSubcommand("show", out, err) {
    override fun help(context: Context): String =
        "Prints stored scan ID in an output format (default: normal, as -oN wrote it), with the settings it ran with " +
            "(-v, --reason, --open, time zone): the same bytes the live run wrote. The shards of a sharded scan show as one scan."

    private val id by argument("ID", help = "A scan id from kmap history")
    private val format by option("--format", "-f", metavar = "FORMAT", help = "normal, xml, grepable, json, ndjson, csv, sarif, junit, html, cef, leef, yaml")
    private val output by option("-o", "--output", metavar = "FILE", help = "Write to FILE instead of standard output")

    override fun execute(store: ScanStore): Int {
        val scan = store.load(StoreAccess.id(id))
        val f = Formats.parse(format ?: "normal")
        Formats.write(output, out) { sink -> scan.replay(ReportFormats.create(f, scan.reportOptions), sink) }
        return Cli.EXIT_OK
    }
}

/** Format names of `show` and `export`, and where their text goes. */
internal object Formats {
    private val names: Map<String, OutputFormat> = OutputFormat.entries.associateBy { it.dslName } +
        mapOf("grep" to OutputFormat.GREPABLE, "gnmap" to OutputFormat.GREPABLE, "nmap" to OutputFormat.NORMAL, "yml" to OutputFormat.YAML)

    fun parse(text: String): OutputFormat = names[text.lowercase()]
        ?: throw UserError("unknown format \"$text\" (expected one of ${OutputFormat.entries.joinToString(", ") { it.dslName }})", "kmap show ID --format xml")

    /** Runs [write] on a buffered writer for [path] (null or `-`: [out]), flushed and closed at the end. */
    fun write(path: String?, out: PrintStream, write: (Appendable) -> Unit) {
        if (path == null || path == "-") {
            val w = out.bufferedWriter(Charsets.UTF_8)
            write(w)
            w.flush()
        } else {
            java.io.File(path).bufferedWriter(Charsets.UTF_8).use { write(it) }
        }
    }
}
