package dev.kmap.script.internal

import dev.kmap.engine.HostResult
import dev.kmap.engine.ScriptOutput
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import java.io.BufferedInputStream
import java.io.BufferedOutputStream
import java.io.Closeable
import java.io.DataInputStream
import java.io.DataOutputStream
import java.io.File
import java.io.IOException
import java.lang.management.ManagementFactory
import java.util.Collections
import java.util.concurrent.TimeUnit
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * kmap's side of one script worker process ([ScriptWorker]): starts it with this JVM's class
 * path, java and start-up options (its class-data archive included), hands it the scripts, then
 * one host at a time. A worker that stops answering (no beat for twice the budget plus
 * [SLACK]) is killed; so is every worker when kmap shuts down (Ctrl-C, SIGTERM), which ends
 * whatever script code it runs.
 */
internal class ScriptWorkerProcess private constructor(private val process: Process, private val budget: Duration) : Closeable {
    private val toWorker = DataOutputStream(BufferedOutputStream(process.outputStream))
    private val replies = Channel<Any>(Channel.UNLIMITED) // WorkerMessage, or Throwable / END

    init {
        live += this
        Thread({
            val input = DataInputStream(BufferedInputStream(process.inputStream, 1 shl 16))
            try {
                while (true) replies.trySend(WorkerMessage.read(input) ?: break)
            } catch (e: Throwable) {
                replies.trySend(e)
            }
            replies.trySend(END)
        }, "kmap-script-worker-reader").apply { isDaemon = true }.start()
    }

    /** Why the worker could not do its work: it ended, stopped answering, or said so. */
    class WorkerFailure(message: String) : IOException(message)

    private suspend fun receive(silence: Duration): WorkerMessage {
        val m = withTimeoutOrNull(silence) { replies.receive() } ?: run {
            close()
            throw WorkerFailure("the script process stopped answering for $silence and was killed")
        }
        return when (m) {
            is WorkerMessage -> m
            is Throwable -> { close(); throw WorkerFailure("the script process sent a bad message (${m.javaClass.simpleName}: ${m.message})") }
            else -> { close(); throw WorkerFailure(if (stopping) "interrupted: kmap is stopping" else "the script process ended (exit status ${exitStatus()})") }
        }
    }

    private fun exitStatus(): String = if (process.waitFor(2, TimeUnit.SECONDS)) process.exitValue().toString() else "unknown"

    /** Sends [m]; a worker that is gone becomes a [WorkerFailure]. */
    private fun send(m: WorkerMessage) {
        try {
            WorkerMessage.write(toWorker, m)
        } catch (e: IOException) {
            close()
            throw WorkerFailure("the script process ended (exit status ${exitStatus()})")
        }
    }

    private var seq = 0L

    /** Runs the scripts on [host]; after a host where a task would not stop ([WorkerMessage.Processed.stuck]) the worker ends itself. */
    suspend fun process(host: HostResult): WorkerMessage.Processed {
        val id = ++seq
        send(WorkerMessage.Process(id, host))
        while (true) {
            when (val m = receive(budget * 2 + SLACK)) {
                is WorkerMessage.Progress -> continue
                is WorkerMessage.Processed -> {
                    if (m.seq != id) throw WorkerFailure("the script process answered host ${m.seq}, not $id")
                    if (m.stuck > 0) close()
                    return m
                }
                else -> { close(); throw WorkerFailure("unexpected ${m.javaClass.simpleName} from the script process") }
            }
        }
    }

    override fun close() {
        live -= this
        runCatching { toWorker.close() }
        if (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly()
            process.waitFor(2, TimeUnit.SECONDS)
        }
    }

    companion object {
        /** How much longer than twice the budget a worker may stay silent (start-up, GC, a loaded machine). */
        val SLACK: Duration = 10.seconds

        private val END = Any()
        private val live: MutableSet<ScriptWorkerProcess> = Collections.synchronizedSet(HashSet())

        /** Set when this JVM shuts down (Ctrl-C, SIGTERM): no worker starts any more. */
        @Volatile
        var stopping: Boolean = false
            private set

        init {
            Runtime.getRuntime().addShutdownHook(Thread({
                stopping = true
                live.toList().forEach { runCatching { it.process.destroyForcibly() } }
            }, "kmap-script-workers-shutdown"))
        }

        /** Options of this JVM worth passing on: its class-data archive, GC, heap and stack sizes, system properties. */
        private val PASSED_ON = listOf(
            "-XX:SharedArchiveFile", "-Xshare", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel", "-Xlog:cds", "-Xss", "-Xmx", "-XX:-UsePerfData", "-D", "--add-opens",
        )

        /**
         * Starts a worker and hands it [init]; returns it once every script is loaded. Throws
         * [WorkerFailure] when it cannot start or a script's top level fails there (with the
         * worker's message).
         */
        fun start(init: WorkerMessage.Init): ScriptWorkerProcess {
            if (stopping) throw WorkerFailure("interrupted: kmap is stopping")
            val java = ProcessHandle.current().info().command().orElse(null) ?: File(System.getProperty("java.home"), "bin/java").path
            val options = ManagementFactory.getRuntimeMXBean().inputArguments.filter { a -> PASSED_ON.any { a.startsWith(it) } }
            val classpath = ScriptClasspath.all.joinToString(File.pathSeparator)
            val command = listOf(java) + options + listOf("-cp", classpath, ScriptWorker::class.java.name)
            val process = try {
                ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start()
            } catch (e: IOException) {
                throw WorkerFailure("cannot start the script process ($java): ${e.message}")
            }
            val worker = ScriptWorkerProcess(process, init.budgetMillis.milliseconds)
            try {
                worker.send(init)
                // loading runs every script's top level, each within the budget
                val ready = runBlocking { worker.receive(worker.budget * (init.scripts.size + 1) + SLACK * 3) }
                if (ready !is WorkerMessage.Ready) throw WorkerFailure("unexpected ${ready.javaClass.simpleName} from the script process")
                ready.error?.let { throw WorkerFailure(it) }
            } catch (e: Throwable) {
                worker.close()
                throw e
            }
            return worker
        }

        /** What a host gets when the worker failed on it: one error line per script that was to run there. */
        fun failed(host: HostResult, scriptIds: List<String>, why: String): HostResult =
            host.copy(hostScripts = host.hostScripts + scriptIds.map { ScriptOutput(it, "ERROR: $why; the script did not finish on this host") })
    }
}
