package dev.kmap.cli

import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.arguments.multiple
import dev.kmap.store.ScanStore
import java.io.PrintStream

/** `kmap delete ID...`: removes stored scans (all shards of a sharded scan). */
internal class DeleteCommand(out: PrintStream, err: PrintStream) : StoreSubcommand("delete", out, err) {
    override fun help(context: Context): String = "Deletes stored scans with everything recorded about them (all shards of a sharded scan)."

    private val ids by argument("ID", help = "Scan ids from kmap history").multiple(required = true)

    override fun execute(store: ScanStore): Int {
        val parsed = ids.map { StoreAccess.id(it) }
        for (id in parsed) {
            val removed = store.delete(id)
            out.println("Deleted scan $id" + if (removed.size > 1) " (shards ${removed.joinToString(", ")})" else "")
        }
        return Cli.EXIT_OK
    }
}
