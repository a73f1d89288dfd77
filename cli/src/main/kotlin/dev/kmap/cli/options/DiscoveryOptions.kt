package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.dsl.DiscoveryProbeKind

/**
 * Host discovery: `-Pn` and one option per [DiscoveryProbeKind] of the registry (kinds with
 * ports take them glued as nmap does, `-PS22,443`, which NmapArgs rewrites to `--ping-syn=22,443`).
 */
internal class DiscoveryOptions : OptionGroup("Host discovery") {
    val skip by option("-Pn", help = "Treat all hosts as up: skip host discovery").flag()
    val sendIp by option("--send-ip", help = "Discover on-link targets with IP probes, not ARP/NDP").flag()

    private val plain = DiscoveryProbeKind.entries.filter { !it.takesPorts }
        .associateWith { k -> option(k.flag, help = k.description).flag().also { registerOption(it) } }
    private val withPorts = DiscoveryProbeKind.entries.filter { it.takesPorts }
        .associateWith { k -> option(k.longFlag!!, k.flag, metavar = "PORTS", help = k.description).pingPorts().also { registerOption(it) } }

    /** The probes asked for, in registry order, with their ports (empty for kinds without). */
    val probes: List<Pair<DiscoveryProbeKind, List<Int>>>
        get() = DiscoveryProbeKind.entries.mapNotNull { k ->
            when {
                plain[k]?.value == true -> k to emptyList()
                else -> withPorts[k]?.value?.let { k to it }
            }
        }
}
