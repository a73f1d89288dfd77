package dev.kmap.report.format

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.OutputFormat
import dev.kmap.engine.ScanReport
import dev.kmap.report.Violation

/**
 * The writer of each [OutputFormat]: the second half of the format registry (the first, names,
 * flags and extensions, is [OutputFormat] itself, which the DSL and every front end read).
 * [create]'s `when` is exhaustive, so a new format constant does not compile until its writer is
 * registered here. Every call returns a fresh formatter (formatters keep per-report state).
 *
 * ```kotlin
 * val f = ReportFormats.create(OutputFormat.GREPABLE, ReportOptions(version = "0.1.0"))
 * f.start(plan, System.currentTimeMillis(), System.out)
 * ```
 */
public object ReportFormats {
    /** A new formatter writing [format] with [options]. */
    public fun create(format: OutputFormat, options: ReportOptions = ReportOptions()): ReportFormatter = when (format) {
        OutputFormat.NORMAL -> NormalFormat(options, interactive = false)
        OutputFormat.XML -> XmlFormat(options)
        OutputFormat.GREPABLE -> GrepableFormat(options)
        OutputFormat.JSON -> JsonFormat(options)
        OutputFormat.NDJSON -> NdjsonFormat()
        OutputFormat.CSV -> CsvFormat(options)
        OutputFormat.SARIF -> SarifFormat(options)
        OutputFormat.JUNIT -> JunitFormat(options)
        OutputFormat.HTML -> HtmlFormat(options)
    }

    /**
     * True when [format]'s writer takes each host as it finishes (every format kmap ships); a
     * format that needs the whole result first is given its hosts at the end instead.
     */
    public fun streaming(format: OutputFormat): Boolean = when (format) {
        OutputFormat.NORMAL, OutputFormat.XML, OutputFormat.GREPABLE, OutputFormat.JSON, OutputFormat.NDJSON,
        OutputFormat.CSV, OutputFormat.SARIF, OutputFormat.JUNIT, OutputFormat.HTML -> true
    }

    /** The conventional file name extension of [format] (`-oA` uses `.nmap`, `.xml`, `.gnmap`). */
    public fun extension(format: OutputFormat): String = format.extension

    /**
     * Writes a whole [report] in [format] to [out] (start, every host, the [expectations]'
     * verdict when given, finish): for reports already in memory, as `ScanScript.print` does.
     */
    public fun render(
        format: OutputFormat,
        report: ScanReport,
        out: Appendable,
        options: ReportOptions = ReportOptions(),
        expectations: Expectations? = null,
        violations: List<Violation> = emptyList(),
    ) {
        val f = create(format, options)
        f.start(report.plan, report.stats.startedAtMillis, out)
        report.hosts.forEach { f.host(it, out) }
        if (expectations != null) f.expectations(expectations, violations, out)
        f.finish(report.stats, out)
    }
}
