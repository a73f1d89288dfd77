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

    /**
     * The first word that looks like an option but is none of [known] (nor a cluster of known
     * one-letter flags such as `-vv`). Clikt would read `-sC` as `-s -C` and complain about `-s`;
     * nmap users typing nmap flags kmap lacks deserve the flag they typed.
     */
    fun unknownOption(args: List<String>, known: Set<String>): String? {
        var expectValue = false
        for (a in args) {
            if (expectValue) { expectValue = false; continue }
            if (a == "--") return null
            if (!a.startsWith("-") || a == "-") continue
            val name = a.substringBefore('=')
            if (name in known) { expectValue = '=' !in a && name in VALUE_OPTIONS; continue }
            if (!a.startsWith("--") && a.drop(1).all { "-$it" in known && "-$it" !in VALUE_OPTIONS }) continue
            if (!a.startsWith("--") && a.length > 2 && a.substring(0, 2) in VALUE_OPTIONS) continue // -p22: a glued value
            return name
        }
        return null
    }

    /** The known option nearest to [name] (edit distance at most 2, long options only), for "did you mean". */
    fun closest(name: String, known: Set<String>): String? {
        if (!name.startsWith("--")) return null
        return known.filter { it.startsWith("--") }.map { it to distance(name, it) }.filter { it.second <= 2 }.minByOrNull { it.second }?.first
    }

    private fun distance(a: String, b: String): Int {
        var prev = IntArray(b.length + 1) { it }
        for (i in 1..a.length) {
            val cur = IntArray(b.length + 1)
            cur[0] = i
            for (j in 1..b.length) cur[j] = minOf(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + if (a[i - 1] == b[j - 1]) 0 else 1)
            prev = cur
        }
        return prev[b.length]
    }

    /** Options whose next word is their value, so a value such as `-PS.txt` is never rewritten. */
    private val VALUE_OPTIONS = setOf(
        "-p", "--top-ports", "--exclude-ports", "-iL", "--exclude", "--excludefile", "--seed", "--shard", "-T", "--timing",
        "--min-rate", "--max-rate", "--max-retries", "--host-timeout", "--scan-delay", "--max-scan-delay", "--min-rtt-timeout",
        "--max-rtt-timeout", "--initial-rtt-timeout", "--min-parallelism", "--max-parallelism", "--version-intensity",
        "--script", "--script-args", "--script-timeout", "-oN", "-oX", "-oG", "-oJ", "--json", "-oA", "--ndjson", "--csv", "--sarif", "--junit",
        "--html", "--cef", "--leef", "--yaml", "--resume", "--store", "--shard-count", "--scan-group",
    )
}
