package dev.kmap.cli

import com.github.ajalt.clikt.core.CliktError
import com.github.ajalt.clikt.core.CoreCliktCommand
import com.github.ajalt.clikt.core.PrintHelpMessage
import com.github.ajalt.clikt.core.PrintMessage
import com.github.ajalt.clikt.core.UsageError
import com.github.ajalt.clikt.core.parse
import com.github.ajalt.clikt.output.ParameterFormatter
import com.github.ajalt.clikt.parameters.options.option
import dev.kmap.store.ScanStore
import dev.kmap.store.StoreException
import java.io.PrintStream

/**
 * A subcommand that reads or changes the store (`history`, `show`, `diff`, `delete`, `export`):
 * each takes `--store URL`; [execute] does the work once the arguments are parsed and returns
 * the exit status. A store that cannot be used is one line and exit 2. Each is one line of [Subcommands.all].
 */
internal abstract class StoreSubcommand(name: String, protected val out: PrintStream, protected val err: PrintStream) : CoreCliktCommand(name = name) {
    private val storeOption by option("--store", metavar = "URL", help = "The store to read (default: \$KMAP_STORE or ~/.kmap/kmap.db)")

    private var status = Cli.EXIT_OK

    final override fun run() {
        val url = StoreAccess.url(storeOption)
        status = StoreAccess.openForReading(url, out)?.use { execute(it) } ?: emptyStoreStatus()
    }

    /** What to do with the open store; returns the exit status. */
    protected abstract fun execute(store: ScanStore): Int

    /** The exit status when nothing has been recorded yet. */
    protected open fun emptyStoreStatus(): Int = Cli.EXIT_OK

    companion object {
        /** Parses [args] into [command] and runs it; usage and store errors are one line, exit 2. */
        fun run(command: StoreSubcommand, call: Subcommands.Call): Int {
            val (args, out, err) = Triple(call.args, call.out, call.err)
            try {
                command.parse(args)
            } catch (e: PrintHelpMessage) {
                out.print(command.getFormattedHelp(e)); out.println(); return Cli.EXIT_OK
            } catch (e: PrintMessage) {
                out.println(e.message); return Cli.EXIT_OK
            } catch (e: UserError) {
                return usage(err, e.message, e.hint)
            } catch (e: UsageError) {
                return usage(err, e.formatMessage(command.currentContext.localization, ParameterFormatter.Plain), "kmap ${command.commandName} --help")
            } catch (e: CliktError) {
                return usage(err, e.message ?: "invalid arguments", "kmap ${command.commandName} --help")
            } catch (e: StoreException) {
                return usage(err, e.message ?: "the store failed", StoreAccess.HINT)
            } catch (e: java.io.IOException) {
                err.println("kmap: ${e.message ?: e.javaClass.simpleName}")
                return Cli.EXIT_FAILED
            }
            return command.status
        }

        private fun usage(err: PrintStream, message: String, hint: String): Int {
            err.println("kmap: ${message.lineSequence().first().trim()}")
            err.println("hint: $hint")
            return Cli.EXIT_USAGE
        }
    }
}
