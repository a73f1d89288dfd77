package dev.kmap.report.format

import java.time.ZoneId

/**
 * What every report format may need besides the results: the kmap [version], the
 * [commandLine] that ran the scan (`<nmaprun args=…>`, the `# … as:` comment lines), nmap's
 * [verbosity] (`-v`) and [debugging] (`-d`) levels, `--reason` ([showReason]), `--open`
 * ([openOnly]), the [zone] for local times (nmap prints local time; tests pin UTC) and the
 * script argument names declared secret besides the usual ones ([secretArguments], see
 * `SecretArguments`: their values are masked wherever a report echoes the plan).
 * [portsObserved] lists ports that were observed rather than scanned (`kmap passive`): the port
 * tables are written although the plan has no port scan.
 *
 * ```kotlin
 * val options = ReportOptions(version = "0.1.0", commandLine = "kmap -sT -p 22 10.0.0.1", showReason = true)
 * val xml = ReportFormats.create(OutputFormat.XML, options)
 * ```
 */
public data class ReportOptions(
    val version: String = "",
    val commandLine: String = "kmap",
    val verbosity: Int = 0,
    val debugging: Int = 0,
    val showReason: Boolean = false,
    val openOnly: Boolean = false,
    val zone: ZoneId = ZoneId.systemDefault(),
    val secretArguments: Set<String> = emptySet(),
    val portsObserved: Boolean = false,
)
