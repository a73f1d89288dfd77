package dev.kmap.dsl

/**
 * The receiver of `output { }`: reports to write; `-` writes to standard output.
 *
 * ```kotlin
 * scan { output { xml("scan.xml"); json("scan.json"); all("nightly") } }
 * ```
 */
@KmapDsl
public class OutputBuilder internal constructor() {
    private val outputs = ArrayList<OutputSpec>()

    /** Adds a report in [format] at [path]. */
    public fun format(format: OutputFormat, path: String) { outputs += OutputSpec(format, path) }

    /** nmap's normal text (`-oN`). */
    public fun normal(path: String) { format(OutputFormat.NORMAL, path) }
    /** nmap XML (`-oX`). */
    public fun xml(path: String) { format(OutputFormat.XML, path) }
    /** nmap grepable lines (`-oG`). */
    public fun grepable(path: String) { format(OutputFormat.GREPABLE, path) }
    /** JSON (`-oJ`). */
    public fun json(path: String) { format(OutputFormat.JSON, path) }
    /** Newline-delimited JSON, streamed as hosts finish. */
    public fun ndjson(path: String) { format(OutputFormat.NDJSON, path) }
    /** CSV. */
    public fun csv(path: String) { format(OutputFormat.CSV, path) }
    /** SARIF 2.1.0. */
    public fun sarif(path: String) { format(OutputFormat.SARIF, path) }
    /** JUnit XML. */
    public fun junit(path: String) { format(OutputFormat.JUNIT, path) }
    /** A self-contained HTML report. */
    public fun html(path: String) { format(OutputFormat.HTML, path) }

    /** Normal, XML and grepable at `base.nmap`, `base.xml`, `base.gnmap` (`-oA`: [OutputFormat.ALL]). */
    public fun all(base: String) {
        OutputFormat.ALL.forEach { format(it, "$base.${it.extension}") }
    }

    internal fun build(): List<OutputSpec> = outputs.toList()
}
