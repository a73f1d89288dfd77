package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.multiple
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.long

/** Target specification, host order and name resolution. */
internal class TargetOptions : OptionGroup("Targets") {
    val inputList by option("-iL", metavar = "FILE", help = "Read targets from FILE (- for stdin)")
    val exclude by option("--exclude", metavar = "HOSTS", help = "Comma-separated targets to leave out").multiple()
    val excludeFile by option("--excludefile", metavar = "FILE", help = "Leave out the targets in FILE")
    val randomizeHosts by option("--randomize-hosts", help = "Scan hosts in a random order").flag()
    val seed by option("--seed", metavar = "N", help = "Seed of the random host order (implies --randomize-hosts)").long()
    val shard by option("--shard", metavar = "I/N", help = "Scan only shard I of N (1-based), e.g. 2/4")
    val noDns by option("-n", help = "Never do reverse DNS").flag()
    val alwaysDns by option("-R", help = "Always do reverse DNS").flag()
    val ipv6 by option("-6", help = "Resolve host names to IPv6").flag()

    /** `--exclude` values, split at commas. */
    val excluded: List<String> get() = exclude.flatMap { it.split(',') }.map { it.trim() }.filter { it.isNotEmpty() }
}
