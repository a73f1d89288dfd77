package dev.kmap.engine.output

import dev.kmap.dsl.OutputFormat

/**
 * The formatter of each [OutputFormat]: the one table the CLI and the DSL's `output { }` use.
 * Every call returns a fresh formatter (formatters keep per-report state).
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
        OutputFormat.CEF -> CefFormat(options)
        OutputFormat.LEEF -> LeefFormat(options)
        OutputFormat.YAML -> YamlFormat(options)
    }

    /** The conventional file name extension of [format] (`-oA` uses `.nmap`, `.xml`, `.gnmap`). */
    public fun extension(format: OutputFormat): String = when (format) {
        OutputFormat.NORMAL -> "nmap"
        OutputFormat.XML -> "xml"
        OutputFormat.GREPABLE -> "gnmap"
        OutputFormat.JSON -> "json"
        OutputFormat.NDJSON -> "ndjson"
        OutputFormat.CSV -> "csv"
        OutputFormat.SARIF -> "sarif"
        OutputFormat.JUNIT -> "junit.xml"
        OutputFormat.HTML -> "html"
        OutputFormat.CEF -> "cef"
        OutputFormat.LEEF -> "leef"
        OutputFormat.YAML -> "yaml"
    }
}
