package dev.kmap.script

import dev.kmap.engine.HostProcessor
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.script.internal.OutputLimits
import dev.kmap.script.internal.ScriptExecution
import dev.kmap.script.internal.ScriptWorkerProcess
import dev.kmap.script.internal.WorkerMessage
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import java.io.Closeable
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * Runs scripts on each finished host (the engine's [HostProcessor]): every script whose port rule
 * matches a port runs on that port, every script whose host rule matches runs once; at most
 * [parallelism] actions at a time. Each script's rule pass over a host and each action gets
 * [budget].
 *
 * Library scripts run in a worker JVM ([ScriptIsolation.PROCESS], the default): a rule or action
 * that overruns is reported as `ERROR: timed out after …` and, if it ignores cancellation (a busy
 * loop), the worker is ended after that host, which stops it for sure, and a fresh worker takes
 * the next host. An action that throws becomes `ERROR: message (file:line)`. Either way the other
 * results stay. What one script returns is cut at 64 Ki characters, what one host's scripts
 * return at 1 Mi, and the output says so. A script run by `kmap run` keeps its own rule and
 * action in this JVM (they share its state).
 *
 * Close the runner after the scan to end its worker (it also ends with this JVM).
 *
 * ```kotlin
 * ScriptHost().runner(ScriptLibrary.builtIn().select("banner")).use { runner ->
 *     scan(plan, EngineConfig().withStages(ScriptStage(runner))) // as a stage; or EngineConfig(hostProcessors = listOf(runner))
 * }
 * ```
 */
public class ScriptRunner internal constructor(
    private val isolated: WorkerMessage.Init?,
    internal val local: List<LoadedScript>,
    /** The arguments every script sees. */
    public val scriptArgs: ScriptArgs,
    /** The time each rule pass and each action may take. */
    public val budget: Duration = DEFAULT_BUDGET,
    /** How many actions may run at once. */
    public val parallelism: Int = 16,
) : HostProcessor, Closeable {
    /** The data this JVM's scripts share during this scan (worker scripts share their own). */
    public val registry: ScriptRegistry = ScriptRegistry()

    /** Rule passes and actions that timed out so far. */
    public val timeouts: Int get() = timedOut.get()

    /** Workers ended because a script ignored its budget (each was replaced for the next host). */
    public val workersReplaced: Int get() = replaced.get()

    /** The ids of the scripts this runner runs. */
    public val scriptIds: List<String> get() = isolatedIds + local.map { it.id }

    private val isolatedIds = isolated?.scripts?.map { it.id }.orEmpty()
    private val timedOut = AtomicInteger()
    private val replaced = AtomicInteger()
    private val limits = OutputLimits()
    private val inProcess = ScriptExecution(local, scriptArgs, budget, parallelism, registry, limits)
    private val lock = Mutex()

    @Volatile private var worker: ScriptWorkerProcess? = isolated?.takeIf { it.scripts.isNotEmpty() }?.let(::startWorker)

    @Volatile private var closed = false

    private fun startWorker(init: WorkerMessage.Init): ScriptWorkerProcess = try {
        ScriptWorkerProcess.start(init)
    } catch (e: ScriptWorkerProcess.WorkerFailure) {
        throw ScriptFailedException(e.message ?: "the script process failed", e)
    }

    override suspend fun process(result: HostResult): HostResult {
        if (result.status != HostStatus.UP || result.error != null || closed) return result
        return coroutineScope {
            val remote = async { if (isolatedIds.isEmpty()) null else inWorker(result) }
            val mine = inProcess.process(result)
            timedOut.addAndGet(mine.timeouts)
            merge(result, remote.await(), mine.host)
        }
    }

    private suspend fun inWorker(result: HostResult): HostResult = lock.withLock {
        withContext(Dispatchers.IO) {
            try {
                val w = worker ?: startWorker(isolated!!).also { worker = it }
                val answer = w.process(result)
                timedOut.addAndGet(answer.timeouts)
                if (answer.stuck > 0) { worker = null; replaced.incrementAndGet() }
                answer.host
            } catch (e: ScriptWorkerProcess.WorkerFailure) {
                worker = null
                ScriptWorkerProcess.failed(result, isolatedIds, if (closed) "interrupted" else e.message ?: "the script process failed")
            } catch (e: ScriptFailedException) {
                worker = null
                ScriptWorkerProcess.failed(result, isolatedIds, e.message ?: "the script process failed")
            }
        }
    }

    /** [base] with the outputs the worker ([remote]) and this JVM ([mine]) added, worker first. */
    private fun merge(base: HostResult, remote: HostResult?, mine: HostResult): HostResult {
        if (remote == null) return mine
        if (local.isEmpty()) return remote
        val ports = base.ports.indices.map { i ->
            val p = base.ports[i]
            p.copy(scripts = remote.ports[i].scripts + mine.ports[i].scripts.drop(p.scripts.size))
        }
        return base.copy(ports = ports, hostScripts = remote.hostScripts + mine.hostScripts.drop(base.hostScripts.size))
    }

    /** Ends the worker; later hosts get no script results. */
    override fun close() {
        closed = true
        worker?.close()
        worker = null
    }

    public companion object {
        /** The default time budget of one action (and of one rule pass, and of a script's top level). */
        public val DEFAULT_BUDGET: Duration = 10.seconds
    }
}
