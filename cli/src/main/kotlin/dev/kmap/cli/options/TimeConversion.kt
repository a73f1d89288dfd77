package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.options.NullableOption
import com.github.ajalt.clikt.parameters.options.RawOption
import com.github.ajalt.clikt.parameters.options.convert
import dev.kmap.cli.Hints
import dev.kmap.cli.UserError
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/**
 * nmap time values: a number of seconds, or with a unit `ms`, `s`, `m`, `h` (`500ms`, `30s`,
 * `5m`), at most a year. A bad value is `invalid time "5x" for --host-timeout`.
 *
 * ```kotlin
 * val hostTimeout by option("--host-timeout", metavar = "TIME").time()
 * ```
 */
internal fun RawOption.time(): NullableOption<Duration, Duration> = convert("TIME") { parseTime(name, it) }

/** [time]'s parser, for values that do not come through an option (`kmap run`'s). */
internal fun parseTime(option: String, text: String): Duration {
    val m = TIME.matchEntire(text.trim()) ?: throw UserError("invalid time \"$text\" for $option", Hints.TIME)
    val n = m.groupValues[1].toDouble()
    val factor = when (m.groupValues[2]) { "ms" -> 1.0; "", "s" -> 1_000.0; "m" -> 60_000.0; else -> 3_600_000.0 }
    val ms = n * factor
    if (ms > 31_536_000_000.0) throw UserError("time \"$text\" for $option is too long", "at most a year, e.g. 30s, 5m, 1h")
    return ms.toLong().milliseconds
}

private val TIME = Regex("""(\d+(?:\.\d+)?)(ms|s|m|h)?""")
