package dev.kmap.cli

import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.store.ScanStore
import java.io.PrintStream

/** `kmap diff A B`: what changed between two stored scans, as ndiff shows it. Exit 0: no change, 1: changes. */
internal class DiffCommand(out: PrintStream, err: PrintStream) : StoreSubcommand("diff", out, err) {
    override fun help(context: Context): String =
        "Compares stored scans A and B like nmap's ndiff: hosts that appeared or went away, ports that opened or closed, " +
            "changed services and script output. Exit status: 0 no changes, 1 changes, 2 bad usage."

    private val a by argument("A", help = "The earlier scan's id")
    private val b by argument("B", help = "The later scan's id")
    private val json by option("--json", help = "The changes as one JSON object").flag()

    override fun execute(store: ScanStore): Int {
        val d = store.diff(StoreAccess.id(a), StoreAccess.id(b))
        out.print(if (json) d.toJson() else d.toText())
        out.flush()
        return if (d.isEmpty) Cli.EXIT_OK else 1
    }
}
