package dev.kmap.cli

/**
 * nmap glues some values to their flags (`-PS22,443`, `-PS` alone meaning port 80, `-T4`).
 * These are rewritten to the long forms the parser knows; everything else passes unchanged.
 */
internal object NmapArgs {
    private val pingWithPorts = mapOf("-PS" to ("--ping-syn" to "80"), "-PA" to ("--ping-ack" to "80"), "-PU" to ("--ping-udp" to "40125"))

    fun normalize(args: List<String>): List<String> {
        val out = ArrayList<String>(args.size)
        var passThrough = false
        for (a in args) {
            if (passThrough || a == "--") { passThrough = true; out += a; continue }
            val ping = pingWithPorts.entries.firstOrNull { a.startsWith(it.key) }
            when {
                ping != null -> {
                    val (long, default) = ping.value
                    out += "$long=${a.removePrefix(ping.key).ifEmpty { default }}"
                }
                a.length == 3 && a.startsWith("-T") && a[2].isDigit() -> out += "--timing=${a[2]}"
                else -> out += a
            }
        }
        return out
    }
}
