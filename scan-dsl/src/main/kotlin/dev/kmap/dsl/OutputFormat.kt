package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * A report format; [flag] is the CLI option that asks for it.
 *
 * ```kotlin
 * scan { output { xml("scan.xml") } } // OutputFormat.XML
 * ```
 */
@Serializable
public enum class OutputFormat(public val flag: String) {
    NORMAL("-oN"),
    XML("-oX"),
    GREPABLE("-oG"),
    JSON("-oJ"),
    NDJSON("--ndjson"),
    CSV("--csv"),
    SARIF("--sarif"),
    JUNIT("--junit"),
    HTML("--html"),
    CEF("--cef"),
    LEEF("--leef"),
    YAML("--yaml"),
}
