package dev.kmap.gradle

import dev.kmap.dsl.OutputFormat
import org.gradle.api.provider.ListProperty
import javax.inject.Inject
import org.gradle.api.model.ObjectFactory

/**
 * `reports { }` of a scan: which report files its scan task writes into
 * `build/reports/kmap/<name>/` (named `<name>.<extension>`: `<name>.sarif`,
 * `<name>.junit.xml`, …). JUnit and SARIF also carry the expectations. Without any call, no
 * report file is written. The formats are kmap's format registry ([OutputFormat]): [format]
 * takes any of them by name ([available]), and each has a method of its own.
 *
 * ```kotlin
 * reports { sarif(); junit(); html(); xml(); json() }
 * reports { format("ndjson") }
 * ```
 */
public abstract class KmapReports @Inject constructor(objects: ObjectFactory) {
    /** The chosen formats, as [OutputFormat] names. */
    public val formats: ListProperty<String> = objects.listProperty(String::class.java)

    /** The names [format] accepts: every format of the registry, as the DSL spells it. */
    public val available: List<String> get() = OutputFormat.entries.map { it.dslName }

    /** Adds the format named [name] (one of [available]); an unknown name fails with the list. */
    public fun format(name: String) {
        val f = OutputFormat.entries.firstOrNull { it.dslName == name.lowercase() }
            ?: throw KmapToolException("unknown kmap report format \"$name\" (expected one of ${available.joinToString(", ")})")
        add(f)
    }

    /** SARIF 2.1.0, violations as `error` results. */
    public fun sarif() { add(OutputFormat.SARIF) }
    /** JUnit XML, a test case per expectation. */
    public fun junit() { add(OutputFormat.JUNIT) }
    /** A self-contained HTML page. */
    public fun html() { add(OutputFormat.HTML) }
    /** nmap's XML. */
    public fun xml() { add(OutputFormat.XML) }
    /** kmap's JSON. */
    public fun json() { add(OutputFormat.JSON) }
    /** Newline-delimited JSON, a host per line. */
    public fun ndjson() { add(OutputFormat.NDJSON) }
    /** nmap's normal text. */
    public fun normal() { add(OutputFormat.NORMAL) }
    /** nmap's grepable lines. */
    public fun grepable() { add(OutputFormat.GREPABLE) }
    /** CSV, a row per port. */
    public fun csv() { add(OutputFormat.CSV) }

    private fun add(format: OutputFormat) { formats.add(format.name) }
}
