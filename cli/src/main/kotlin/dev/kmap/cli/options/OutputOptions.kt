package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.counted
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.cli.Hints
import dev.kmap.cli.UserError
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.OutputSpec

/**
 * Output: one option per [OutputFormat] of the registry (its flag, aliases and description),
 * `-oA` for the registry's [OutputFormat.ALL], and how much the reports show.
 */
internal class OutputOptions : OptionGroup("Output") {
    private val files = OutputFormat.entries.associateWith { f ->
        option(*f.flags.toTypedArray(), metavar = "FILE", help = f.description).also { registerOption(it) }
    }
    val all by option(
        "-oA", metavar = "BASE",
        help = "${OutputFormat.ALL.joinToString(", ") { it.dslName }} output to " + OutputFormat.ALL.joinToString(", ") { "BASE.${it.extension}" },
    )
    val openOnly by option("--open", help = "Show only open (or possibly open) ports").flag()
    val reason by option("--reason", help = "Show why each port has its state").flag()
    val verbose by option("-v", help = "More output; -vv or -v2 for even more (ports are printed as they are found)").counted()
    val debug by option("-d", help = "Debugging output level (-d, -dd, -d3)").counted()
    val noProgress by option("--no-progress", help = "No progress bar on a terminal").flag()
    val resume by option("--resume", metavar = "FILE", help = "Resume an aborted scan (not supported yet)")

    /** The reports asked for: each format in registry order, then `-oA`'s. Checked in full by the scan job. */
    fun specs(): List<OutputSpec> {
        val specs = ArrayList<OutputSpec>()
        fun add(format: OutputFormat, path: String?, flag: String) {
            if (path == null) return
            if (path.isEmpty()) throw UserError("$flag needs a file name", Hints.OUTPUT)
            specs += OutputSpec(format, path)
        }
        files.forEach { (format, option) -> add(format, option.value, format.flag) }
        all?.let { base ->
            if (base == "-") {
                val each = OutputFormat.ALL.map { "${it.flag} -" }
                val count = NUMBERS.getOrElse(each.size) { each.size.toString() }
                throw UserError(
                    "-oA cannot write to standard output (it writes $count files)",
                    "use ${each.dropLast(1).joinToString(", ")} or ${each.last()} for one format on stdout",
                )
            }
            OutputFormat.ALL.forEach { add(it, "$base.${it.extension}", "-oA") }
        }
        return specs
    }

    private companion object {
        val NUMBERS = listOf("no", "one", "two", "three", "four", "five", "six")
    }
}
