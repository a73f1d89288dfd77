package dev.kmap.cli

/**
 * nmap glues some values to their flags (`-PS22,443`, `-PS` alone meaning port 80, `-T4`,
 * `-v3`, `-d2`). These are rewritten to forms the parser knows; everything else passes unchanged.
 */
internal object NmapArgs {
    private val pingWithPorts = mapOf("-PS" to ("--ping-syn" to "80"), "-PA" to ("--ping-ack" to "80"), "-PU" to ("--ping-udp" to "40125"))
    private val leveled = Regex("-([vd])(\\d)")

    fun normalize(args: List<String>): List<String> {
        val out = ArrayList<String>(args.size)
        var passThrough = false
        var expectValue = false
        for (a in args) {
            if (passThrough || expectValue) { expectValue = false; out += a; continue }
            if (a == "--") { passThrough = true; out += a; continue }
            val ping = pingWithPorts.entries.firstOrNull { a.startsWith(it.key) }
            val level = leveled.matchEntire(a)
            when {
                ping != null -> {
                    val (long, default) = ping.value
                    out += "$long=${a.removePrefix(ping.key).ifEmpty { default }}"
                }
                a.length == 3 && a.startsWith("-T") && a[2].isDigit() -> out += "--timing=${a[2]}"
                level != null -> repeat(level.groupValues[2].toInt().coerceAtMost(9)) { out += "-${level.groupValues[1]}" }
                else -> {
                    out += a
                    expectValue = a in VALUE_OPTIONS
                }
            }
        }
        return out
    }

    /** Options whose next word is their value, so a value such as `-PS.txt` is never rewritten. */
    private val VALUE_OPTIONS = setOf(
        "-p", "--top-ports", "--exclude-ports", "-iL", "--exclude", "--excludefile", "--seed", "--shard", "-T", "--timing",
        "--min-rate", "--max-rate", "--max-retries", "--host-timeout", "--scan-delay", "--max-scan-delay", "--min-rtt-timeout",
        "--max-rtt-timeout", "--initial-rtt-timeout", "--min-parallelism", "--max-parallelism", "--version-intensity",
        "--script", "--script-args", "-oN", "-oX", "-oG", "-oJ", "--json", "-oA", "--ndjson", "--csv", "--sarif", "--junit",
        "--html", "--resume",
    )
}
