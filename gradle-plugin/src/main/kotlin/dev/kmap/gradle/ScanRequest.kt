package dev.kmap.gradle

import java.io.File

/**
 * What a [ScanExecutor] runs: the plan and expectations of scan [scanName] as JSON, the
 * [baselineFile] to compare with (null if none), and either the [reportsDir] and report
 * [formats] to write (a scan) or [writeBaselineTo] (a baseline). The outcome (violations and
 * tool errors) goes to [outcomeFile], which the task reads back. With a [store] (a JDBC URL or
 * an SQLite file), the scan is also recorded in kmap's scan history (`kmap history --store`).
 *
 * ```kotlin
 * val request = ScanRequest("local", plan.toJson(), Expectations.NONE.toJson(), null, reportsDir, listOf("SARIF"), null, outcome, "0.1.0")
 * ```
 */
public data class ScanRequest(
    val scanName: String,
    val planJson: String,
    val expectationsJson: String,
    val baselineFile: File?,
    val reportsDir: File?,
    val formats: List<String>,
    val writeBaselineTo: File?,
    val outcomeFile: File,
    val version: String,
    val store: String? = null,
)
