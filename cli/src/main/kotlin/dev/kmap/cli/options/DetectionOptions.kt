package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.multiple
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.int
import dev.kmap.cli.Hints
import dev.kmap.cli.UserError
import dev.kmap.dsl.ServiceDetection

/** Service/OS detection and scripts. */
internal class DetectionOptions : OptionGroup("Detection and scripts") {
    val versionDetection by option("-sV", help = "Service and version detection: probes open ports, names product, version, CPE; TLS inside (ssl/http)").flag()
    val versionIntensity by option("--version-intensity", metavar = "0-9", help = "Send probes of rarity up to 0-9 (default 7; the port's own probes always go)").int()
    val versionLight by option("--version-light", help = "Same as --version-intensity 2").flag()
    val versionAll by option("--version-all", help = "Same as --version-intensity 9").flag()
    val versionTrace by option("--version-trace", help = "Print every service probe exchange (also in JSON: serviceInfo.trace)").flag()
    val serviceDb by option("--service-db", "--versiondb", metavar = "FILE", help = "Probe database: a kmap-format file or nmap's nmap-service-probes (\"nmap\": nmap's installed one); repeatable").multiple()
    val aggressive by option("-A", help = "Aggressive: -sV and -sC (OS detection and traceroute are not implemented yet)").flag()
    val osDetection by option("-O", help = "Operating system detection (not supported yet)").flag()
    val scripts by option("--script", metavar = "NAMES", help = "Scripts by name, glob, category or .scan.kts file, comma-separated (e.g. default,http-*)")
    val defaultScripts by option("-sC", help = "Same as --script=default").flag()
    val scriptArgs by option("--script-args", metavar = "K=V,...", help = "Script arguments: name=value or script.name=value, comma-separated; value env:NAME reads environment variable NAME. Secret values (names ending in password, pass, secret, token, key) are masked in reports")
    val scriptArgsFile by option("--script-args-file", metavar = "FILE", help = "Script arguments from FILE (name=value lines; --script-args wins)")
    val scriptTimeout by option("--script-timeout", metavar = "TIME", help = "Time budget of each script run on a port or host (default 10s)").scriptTime()

    /** True when any option asks for service detection (each of the -sV tuning options implies -sV, as in nmap). */
    val serviceDetection: Boolean
        get() = versionDetection || aggressive || versionIntensity != null || versionLight || versionAll || versionTrace || serviceDb.isNotEmpty()

    /** -sC, or -A. */
    val defaultScriptsWanted: Boolean get() = defaultScripts || aggressive

    /** The probe intensity asked for, checked: one of the three options at most, 0..9. */
    fun intensity(): Int {
        if (listOf(versionIntensity != null, versionLight, versionAll).count { it } > 1) {
            throw UserError("--version-intensity, --version-light and --version-all contradict each other", "choose one of them")
        }
        return when {
            versionLight -> ServiceDetection.LIGHT
            versionAll -> ServiceDetection.ALL
            else -> versionIntensity?.also { if (it !in 0..9) throw UserError("--version-intensity $it is out of range (expected 0..9)", Hints.HELP) }
                ?: ServiceDetection.DEFAULT_INTENSITY
        }
    }

    /** What -A could not turn on, as a warning line; null without -A. */
    val aggressiveNote: String?
        get() = if (aggressive) "-A runs -sV and -sC here; its OS detection (-O) and traceroute (--traceroute) are not implemented yet" else null
}
