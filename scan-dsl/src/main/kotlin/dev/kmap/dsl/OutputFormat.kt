package dev.kmap.dsl

import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonNames

/**
 * A report format: the one registry of formats. Each constant declares everything a front end
 * needs: the CLI [flag] (and [aliases]), the name the DSLs use ([dslName]: `output { xml(…) }`,
 * Gradle's `reports { xml() }`), the file [extension] (`-oA` and the Gradle reports use it),
 * whether `-oA` writes it ([inAll]), and the one-line [description] of `--help` and the docs.
 * The CLI's options, `-oA`, the Gradle `reports { }` block and docs/output-formats.md derive
 * from [entries]; the writer of each format is registered in `ReportFormats` (module
 * `scan-report`), whose exhaustive `when` asks for a new constant's writer at compile time.
 * JSON spells a format by [dslName] (upper-case names of earlier versions are still read).
 *
 * ```kotlin
 * scan { output { xml("scan.xml") } } // OutputFormat.XML
 * OutputFormat.entries.filter { it.inAll }.map { it.extension } // [nmap, xml, gnmap]
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public enum class OutputFormat(
    /** The CLI option that asks for it (nmap's, where nmap has one). */
    public val flag: String,
    /** Other CLI names of the same option (`--json` for `-oJ`). */
    public val aliases: List<String>,
    /** The conventional file name extension, without the dot. */
    public val extension: String,
    /** True when `-oA BASE` writes it (nmap's three). */
    public val inAll: Boolean,
    /** One line for `--help` and the docs table. */
    public val description: String,
) {
    @SerialName("normal") @JsonNames("NORMAL")
    NORMAL("-oN", emptyList(), "nmap", true, "Normal output to FILE (- for stdout)"),

    @SerialName("xml") @JsonNames("XML")
    XML("-oX", emptyList(), "xml", true, "nmap XML output (valid against nmap.dtd)"),

    @SerialName("grepable") @JsonNames("GREPABLE")
    GREPABLE("-oG", emptyList(), "gnmap", true, "Grepable output"),

    @SerialName("json") @JsonNames("JSON")
    JSON("-oJ", listOf("--json"), "json", false, "JSON output (schema: kmap-report.schema.json)"),

    @SerialName("ndjson") @JsonNames("NDJSON")
    NDJSON("--ndjson", emptyList(), "ndjson", false, "NDJSON output: a host per line as hosts finish"),

    @SerialName("csv") @JsonNames("CSV")
    CSV("--csv", emptyList(), "csv", false, "CSV output: a row per port"),

    @SerialName("sarif") @JsonNames("SARIF")
    SARIF("--sarif", emptyList(), "sarif", false, "SARIF 2.1.0 output (open ports and violated expectations as results)"),

    @SerialName("junit") @JsonNames("JUNIT")
    JUNIT("--junit", emptyList(), "junit.xml", false, "JUnit XML output (a test case per open port and per expectation)"),

    @SerialName("html") @JsonNames("HTML")
    HTML("--html", emptyList(), "html", false, "Self-contained HTML report with a summary chart"),
    ;

    /** The lower-case name the DSLs and JSON use: `xml`, `json`, `sarif`, … */
    public val dslName: String get() = name.lowercase()

    /** [flag] and [aliases]: every CLI name of this format's option. */
    public val flags: List<String> get() = listOf(flag) + aliases

    public companion object {
        /** What `-oA BASE` writes, in order. */
        public val ALL: List<OutputFormat> get() = entries.filter { it.inAll }

        /** The format whose [dslName] is [name]; raises [InvalidSpecException] naming the known ones. */
        public fun named(name: String): OutputFormat = entries.firstOrNull { it.dslName == name.lowercase() || it.name == name }
            ?: invalid("unknown output format \"$name\" (expected one of ${entries.joinToString(", ") { it.dslName }})")
    }
}
