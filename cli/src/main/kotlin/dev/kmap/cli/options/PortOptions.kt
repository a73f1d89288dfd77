package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.int

/** Port specification and scan order. */
internal class PortOptions : OptionGroup("Ports") {
    val ports by option("-p", metavar = "PORTS", help = "Ports: 22; 1-1024; - (all); U:53,T:80-90; http; [1-1024]").ports()
    val fast by option("-F", help = "Fast mode: the 100 most frequent ports").flag()
    val topPorts by option("--top-ports", metavar = "N", help = "The N most frequent ports").int()
    val excludePorts by option("--exclude-ports", metavar = "PORTS", help = "Ports to leave out").ports()

    /** True when any option here says which ports to scan. */
    val given: Boolean get() = ports != null || fast || topPorts != null || excludePorts != null
}
