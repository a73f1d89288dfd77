package dev.kmap.cli

import dev.kmap.dsl.DiscoveryProbeKind

/**
 * nmap glues some values to their flags (`-PS22,443`, `-PS` alone meaning port 80, `-T4`,
 * `-v3`, `-d2`). These are rewritten to forms the parser knows; everything else passes unchanged.
 * Which options take a value (so that a value such as `-PS.txt` or `-weird-name.txt` is never
 * read as a flag) comes from the options [ScanCommand] declares, not from a list of its own.
 */
internal object NmapArgs {
    /** Discovery kinds with ports, by nmap flag: their long option and default ports (the registry's). */
    private val pingWithPorts = DiscoveryProbeKind.entries.filter { it.takesPorts }
        .associate { it.flag to (it.longFlag!! to it.defaultPorts!!.joinToString(",")) }
    private val leveled = Regex("-([vd])(\\d)")

    /** Every name of every option of `kmap` that takes a value (`-p`, `-oX`, `--expect`, …). */
    val valueOptions: Set<String> by lazy {
        ScanCommand().registeredOptions().filter { it.nvalues != 0..0 }.flatMap { it.names }.toSet()
    }

    fun normalize(args: List<String>, valueOptions: Set<String> = this.valueOptions): List<String> {
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
                    expectValue = a in valueOptions
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
    fun unknownOption(args: List<String>, known: Set<String>, valueOptions: Set<String> = this.valueOptions): String? {
        var expectValue = false
        for (a in args) {
            if (expectValue) { expectValue = false; continue }
            if (a == "--") return null
            if (!a.startsWith("-") || a == "-") continue
            val name = a.substringBefore('=')
            if (name in known) { expectValue = '=' !in a && name in valueOptions; continue }
            if (!a.startsWith("--") && a.drop(1).all { "-$it" in known && "-$it" !in valueOptions }) continue
            if (!a.startsWith("--") && a.length > 2 && a.substring(0, 2) in valueOptions) continue // -p22: a glued value
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
}
