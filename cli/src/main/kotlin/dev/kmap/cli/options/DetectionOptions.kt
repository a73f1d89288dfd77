package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.int

/** Service/OS detection and scripts. */
internal class DetectionOptions : OptionGroup("Detection and scripts") {
    val versionDetection by option("-sV", help = "Service and version detection (not supported yet)").flag()
    val versionIntensity by option("--version-intensity", metavar = "0-9", help = "Version probe intensity (not supported yet)").int()
    val osDetection by option("-O", help = "Operating system detection (not supported yet)").flag()
    val scripts by option("--script", metavar = "NAMES", help = "Scripts by name, glob, category or .scan.kts file, comma-separated (e.g. default,http-*)")
    val defaultScripts by option("-sC", help = "Same as --script=default").flag()
    val scriptArgs by option("--script-args", metavar = "K=V,...", help = "Script arguments: name=value or script.name=value, comma-separated")
    val scriptTimeout by option("--script-timeout", metavar = "TIME", help = "Time budget of each script run on a port or host (default 10s)").time()
}
