package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.dsl.ScanType

/** Scan techniques: one `-s*` flag per [ScanType] of the registry, `-sn` and `-sL`. */
internal class ScanTechniqueOptions : OptionGroup("Scan techniques") {
    private val types = ScanType.entries.associateWith { t -> option(t.flag, help = t.description).flag().also { registerOption(it) } }

    val pingOnly by option("-sn", help = "Ping scan: host discovery only, no port scan").flag()
    val listOnly by option("-sL", help = "List scan: list the targets (with reverse DNS unless -n), send them nothing").flag()

    /** The scan types asked for, in registry order. */
    val selected: List<ScanType> get() = types.filterValues { it.value }.keys.toList()
}
