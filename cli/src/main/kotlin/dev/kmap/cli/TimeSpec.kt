package dev.kmap.cli

/** nmap time values: a number of seconds, or with a unit `ms`, `s`, `m`, `h` (`500ms`, `30s`, `5m`). */
internal object TimeSpec {
    private val pattern = Regex("""(\d+(?:\.\d+)?)(ms|s|m|h)?""")

    fun millis(option: String, text: String): Long {
        val m = pattern.matchEntire(text.trim()) ?: throw UserError("invalid time \"$text\" for $option", Hints.TIME)
        val n = m.groupValues[1].toDouble()
        val factor = when (m.groupValues[2]) { "ms" -> 1.0; "", "s" -> 1_000.0; "m" -> 60_000.0; else -> 3_600_000.0 }
        val ms = n * factor
        if (ms > 31_536_000_000.0) throw UserError("time \"$text\" for $option is too long", "at most a year, e.g. 30s, 5m, 1h")
        return ms.toLong()
    }
}
