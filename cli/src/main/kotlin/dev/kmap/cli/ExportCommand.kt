package dev.kmap.cli

import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.arguments.multiple
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.dsl.OutputFormat
import dev.kmap.report.format.ReportFormats
import dev.kmap.store.ScanStore
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.io.PrintStream

/**
 * `kmap export ID...`: stored scans (all, those named, or those after `--since ID`), oldest
 * first, in one stream: NDJSON (a `{"scan":…}` line, the hosts, `{"stats":…}`), CSV (one
 * header), CEF or LEEF lines for a SIEM, YAML documents, or nmap's normal/grepable text.
 */
internal class ExportCommand(out: PrintStream, err: PrintStream) : StoreSubcommand("export", out, err) {
    override fun help(context: Context): String =
        "Writes stored scans (all of them, the ids given, or those after --since ID), oldest first, in one stream: " +
            "ndjson (default), csv, cef, leef, yaml, normal or grepable. For a SIEM: kmap export --format cef --since LAST_ID."

    private val ids by argument("ID", help = "Scan ids (default: every scan)").multiple()
    private val format by option("--format", "-f", metavar = "FORMAT", help = "ndjson (default), csv, cef, leef, yaml, normal, grepable")
    private val since by option("--since", metavar = "ID", help = "Only scans recorded after scan ID")
    private val output by option("-o", "--output", metavar = "FILE", help = "Write to FILE instead of standard output")

    override fun execute(store: ScanStore): Int {
        val f = Formats.parse(format ?: "ndjson")
        if (f !in STREAMABLE) {
            throw UserError("--format ${f.name.lowercase()} is one document per scan and cannot hold several", "kmap show ID --format ${f.name.lowercase()} writes one scan")
        }
        val after = since?.let { StoreAccess.id(it, "--since id") } ?: 0L
        val selected = if (ids.isNotEmpty()) ids.map { StoreAccess.id(it) }.distinct()
        else store.history(Int.MAX_VALUE).map { it.id }.filter { it > after }.sorted()
        Formats.write(output, out) { sink ->
            selected.forEachIndexed { i, id ->
                val scan = store.load(id)
                when (f) {
                    OutputFormat.NDJSON -> sink.append(
                        Json.encodeToString(
                            JsonObject.serializer(),
                            buildJsonObject {
                                put("scan", buildJsonObject {
                                    put("id", id); put("status", scan.summary.status.label); put("startedAtMillis", scan.stats.startedAtMillis)
                                    put("commandLine", scan.summary.commandLine); put("version", scan.summary.version)
                                })
                            },
                        ),
                    ).append('\n')
                    OutputFormat.YAML -> sink.append("---\n")
                    else -> Unit
                }
                // one CSV header for the whole stream
                scan.replay(ReportFormats.create(f, scan.reportOptions), if (f == OutputFormat.CSV && i > 0) SkipFirstLine(sink) else sink)
            }
        }
        return Cli.EXIT_OK
    }

    /** Passes text on once its first line has gone by. */
    private class SkipFirstLine(private val to: Appendable) : Appendable {
        private var skipping = true

        override fun append(csq: CharSequence?): Appendable = append(csq, 0, csq?.length ?: 4)

        override fun append(csq: CharSequence?, start: Int, end: Int): Appendable {
            val s = csq ?: "null"
            var from = start
            if (skipping) {
                val nl = (start until end).firstOrNull { s[it] == '\n' } ?: return this
                skipping = false
                from = nl + 1
            }
            to.append(s, from, end)
            return this
        }

        override fun append(c: Char): Appendable {
            if (skipping) { if (c == '\n') skipping = false } else to.append(c)
            return this
        }
    }

    private companion object {
        val STREAMABLE = setOf(OutputFormat.NDJSON, OutputFormat.CSV, OutputFormat.CEF, OutputFormat.LEEF, OutputFormat.YAML, OutputFormat.NORMAL, OutputFormat.GREPABLE)
    }
}
