package dev.kmap.cli

import dev.kmap.engine.RawTcpScanModule
import dev.kmap.engine.ScanControl
import dev.kmap.engine.StageProvider
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.system.exitProcess

/**
 * `kmap`: Ctrl-C (or SIGTERM) stops the scan gracefully: the JVM's shutdown hook asks the engine
 * to stop and waits while every output gets the hosts found so far and its closing; the process
 * then exits 130.
 */
fun main(args: Array<String>) {
    NativeLibraries.prepare()
    exitProcess(runKmap(args))
}

/**
 * `kmap args` in this process, as [main] runs it (warm-ups, the Ctrl-C hook, the command); its
 * exit code. [interrupted] is told the exit code when Ctrl-C ended a scan, after its partial
 * results are written (a warm process tells its client; the JVM then exits by itself).
 */
internal fun runKmap(args: Array<String>, interrupted: (Int) -> Unit = {}): Int {
    warmRawPackets(args)
    warmStore(args)
    warmStageProviders(args)
    val control = ScanControl()
    val done = CountDownLatch(1)
    val running = AtomicBoolean(true)
    Runtime.getRuntime().addShutdownHook(Thread {
        if (running.get()) {
            control.stop()
            System.err.println("\nkmap: interrupted: stopping the scan and writing partial results...")
            done.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)
            interrupted(Cli.EXIT_INTERRUPTED)
        }
    })
    return try {
        Cli.run(args.toList(), System.out, System.err, control, terminal = Terminal.stderrIsTty())
    } catch (e: Throwable) {
        // an Error past every handler (out of memory, a broken installation's missing class):
        // one line and exit 1, never a stack trace, never the shutdown hook's wait for a scan that ended
        System.err.println("kmap: internal error: $e")
        Cli.EXIT_FAILED
    } finally {
        System.out.flush()
        running.set(false)
        done.countDown()
    }
}

private const val SHUTDOWN_WAIT_SECONDS = 15L

/** Arguments that only print something (no arguments: the usage): nothing to warm up for. */
private fun printsOnly(args: Array<String>): Boolean = args.isEmpty() || args.any { it in setOf("--version", "-V", "--help", "-h") }

/** Runs [work] on a daemon thread named [name], its failures ignored (a warm-up: the real use reports them). */
private fun warmInBackground(name: String, work: () -> Unit) {
    Thread({ runCatching(work) }, name).apply { isDaemon = true }.start()
}

/**
 * A scan records itself in the store: open an existing store, else load the drivers, and make the
 * first JSON encoding of a plan, while the arguments are parsed (not for `passive`, which has no store).
 */
private fun warmStore(args: Array<String>) {
    if (printsOnly(args) || "--no-store" in args || args.first() in setOf("version", "self-test", "run", "passive")) return
    val opening = Subcommands.all.none { it.name == args.first() } && StoreAccess.openAhead(args.toList())
    dev.kmap.store.ScanStore.warmUp(drivers = !opening)
}

/**
 * A scan looks up the stage providers on the class path (which reads the directory of every jar
 * on it): look them up on another core while the arguments are parsed.
 */
private fun warmStageProviders(args: Array<String>) {
    if (printsOnly(args) || args.first() in setOf("version", "passive")) return
    warmInBackground("kmap-providers-warmup") { StageProvider.onClassPath().size }
}

/**
 * As root a scan will usually use raw packets (SYN is the default): load libpcap and check raw
 * sockets on another core while the arguments are parsed, instead of after. Not for commands
 * that do not scan.
 */
private fun warmRawPackets(args: Array<String>) {
    if (System.getProperty("user.name") != "root" || printsOnly(args)) return
    if (Subcommands.all.any { it.name == args.first() } || "-sT" in args) return
    warmInBackground("kmap-raw-warmup") { RawTcpScanModule.SYN.unavailableReason() }
}
