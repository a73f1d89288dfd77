package dev.kmap.cli

import dev.kmap.engine.ScanControl
import java.io.PrintStream

/**
 * `kmap NAME ...`: the subcommands, one entry each. Adding one is its own file (a Clikt command
 * or a function `(Call) -> exit status`) plus one line in [all]; `--help` lists them from here
 * and [Cli] dispatches on [Subcommand.name].
 */
internal object Subcommands {
    /** What a subcommand runs with: its arguments, the streams, and the Ctrl-C [control] for scans it runs. */
    class Call(val args: List<String>, val out: PrintStream, val err: PrintStream, val control: ScanControl)

    /** One subcommand: its [name], a [usage] line and one line of [help] for `kmap --help`. */
    class Subcommand(val name: String, val usage: String, val help: String, val run: (Call) -> Int)

    val all: List<Subcommand> = listOf(
        Subcommand("version", "version", "version of kmap, Kotlin and the JVM") { version(it.args, it.out) },
        Subcommand("self-test", "self-test", "check privileges, libpcap, raw sockets, interfaces, DNS, loopback") { selfTest(it.args, it.out) },
        Subcommand("run", "run FILE.scan.kts|FILE.main.kts [args]", "run a Kotlin scan script") { RunCommand.run(it) },
        Subcommand("service-db", "service-db test FILE REPLIES", "check a probe database (kmap or nmap format) against recorded replies") {
            ServiceDbCommand.run(it.args, it.out, it.err)
        },
        Subcommand("history", "history", "the recorded scans (every scan is recorded in ~/.kmap/kmap.db unless --no-store)") { StoreSubcommand.run(HistoryCommand(it.out, it.err), it) },
        Subcommand("show", "show ID [--format F]", "a recorded scan in any output format, as the run wrote it") { StoreSubcommand.run(ShowCommand(it.out, it.err), it) },
        Subcommand("diff", "diff A B [--json]", "what changed between two recorded scans (ndiff's layout)") { StoreSubcommand.run(DiffCommand(it.out, it.err), it) },
        Subcommand("delete", "delete ID...", "remove recorded scans") { StoreSubcommand.run(DeleteCommand(it.out, it.err), it) },
        Subcommand("export", "export [ID...] [--format F] [--since ID]", "recorded scans as one stream (ndjson, csv, cef, leef, yaml)") { StoreSubcommand.run(ExportCommand(it.out, it.err), it) },
        Subcommand("passive", "passive -r FILE | -i IFACE [options]", "hosts and services seen in a capture, without sending (kmap passive --help)") {
            PassiveCommand.main(it.args, it.out, it.err, it.control, Cli.commandLine(listOf("passive") + it.args))
        },
    )

    private fun version(args: List<String>, out: PrintStream): Int {
        if (args.isNotEmpty()) throw UserError("kmap version takes no arguments (got ${args.first()})", "kmap version")
        out.println("kmap version ${Version.text}")
        out.println("Kotlin ${KotlinVersion.CURRENT}, JVM ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}")
        out.println("${System.getProperty("os.name")} ${System.getProperty("os.version")} ${System.getProperty("os.arch")}")
        return Cli.EXIT_OK
    }

    private fun selfTest(args: List<String>, out: PrintStream): Int {
        if (args.firstOrNull() in setOf("-h", "--help")) {
            out.println("Usage: kmap self-test\n\nChecks what kmap needs: privileges, libpcap, raw sockets, interfaces, DNS, loopback, database.")
            out.println("Prints PASS/FAIL/SKIP per check; exits 0 when every essential check passes, 1 otherwise.")
            return Cli.EXIT_OK
        }
        if (args.isNotEmpty()) throw UserError("kmap self-test takes no arguments (got ${args.first()})", "kmap self-test")
        return SelfTest(SelfTest.defaultChecks()).run(out)
    }
}
