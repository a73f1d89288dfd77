package dev.kmap.script

import dev.kmap.engine.HostProcessor
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * Runs loaded scripts on each finished host (the engine's [HostProcessor]): every script whose
 * port rule matches a port runs on that port, every script whose host rule matches runs once;
 * at most [parallelism] actions at a time, each within [budget].
 *
 * An action that throws becomes that script's output, `ERROR: message (file:line)`; one that
 * overruns [budget] is cancelled and reported as `ERROR: timed out after …`. Either way the other
 * results stay. Actions run on a pool of daemon threads: a cancelled action that ignores
 * cancellation (a busy loop) cannot be stopped on a modern JVM, so its thread is abandoned and
 * keeps running until the process exits.
 *
 * ```kotlin
 * val runner = ScriptHost().runner(ScriptLibrary.builtIn().select("banner"))
 * scan(plan, EngineConfig().withStages(ScriptStage(runner))) // as a stage; or EngineConfig(hostProcessors = listOf(runner))
 * ```
 */
public class ScriptRunner internal constructor(
    internal val scripts: List<LoadedScript>,
    /** The arguments every script sees. */
    public val scriptArgs: ScriptArgs,
    /** The time each action may take. */
    public val budget: Duration = DEFAULT_BUDGET,
    /** How many actions may run at once. */
    public val parallelism: Int = 16,
) : HostProcessor {
    /** The data scripts share during this scan. */
    public val registry: ScriptRegistry = ScriptRegistry()

    /** Actions that timed out so far (their threads may still be running if they ignore cancellation). */
    public val timeouts: Int get() = timedOut.get()

    private val timedOut = AtomicInteger()
    private val permits = Semaphore(parallelism)
    private val detached = CoroutineScope(SupervisorJob() + pool)

    /** The ids of the scripts this runner runs. */
    public val scriptIds: List<String> get() = scripts.map { it.id }

    override suspend fun process(result: HostResult): HostResult {
        if (result.status != HostStatus.UP || result.error != null || scripts.isEmpty()) return result
        return coroutineScope {
            val portJobs = result.ports.map { p ->
                val scope = PortRuleScope(result, p)
                scripts.filter { s -> s.instance.portRuleFn?.let { rule -> runCatching { rule(scope) }.getOrDefault(false) } == true }
                    .map { s -> async { invoke(s, ActionContext(s.id, result, p, registry, scriptArgs)) } }
            }
            val hostScope = HostRuleScope(result)
            val hostJobs = scripts.filter { s -> s.instance.hostRuleFn?.let { rule -> runCatching { rule(hostScope) }.getOrDefault(false) } == true }
                .map { s -> async { invoke(s, ActionContext(s.id, result, null, registry, scriptArgs)) } }
            val ports = result.ports.zip(portJobs).map { (p, jobs) ->
                val outs = jobs.awaitAll().filterNotNull()
                if (outs.isEmpty()) p else p.copy(scripts = p.scripts + outs)
            }
            result.copy(ports = ports, hostScripts = result.hostScripts + hostJobs.awaitAll().filterNotNull())
        }
    }

    private class Outcome(val value: Any?)

    private suspend fun invoke(script: LoadedScript, context: ActionContext): ScriptOutput? = permits.withPermit {
        val action = script.instance.actionFn ?: return@withPermit null
        // the action runs outside this scope: if it ignores cancellation, we still return at the deadline
        val job = detached.async { Outcome(context.action()) }
        try {
            val outcome = withTimeoutOrNull(budget) { job.await() }
            if (outcome == null) {
                job.cancel()
                timedOut.incrementAndGet()
                return@withPermit ScriptOutput(script.id, "ERROR: timed out after $budget (the action was stopped)")
            }
            toOutput(script.id, outcome.value)
        } catch (e: CancellationException) {
            job.cancel()
            throw e
        } catch (e: Throwable) {
            ScriptOutput(script.id, "ERROR: ${describe(e)}${script.lineOf(e)?.let { " ($it)" } ?: ""}")
        }
    }

    private fun describe(e: Throwable): String = e.message?.lineSequence()?.firstOrNull()?.takeIf { it.isNotBlank() }?.let { "${e.javaClass.simpleName}: $it" }
        ?: e.javaClass.simpleName

    public companion object {
        /** The default time budget of one action. */
        public val DEFAULT_BUDGET: Duration = 10.seconds

        private val threads = AtomicInteger()
        private val pool = Executors.newCachedThreadPool { r ->
            Thread(r, "kmap-script-${threads.incrementAndGet()}").apply { isDaemon = true }
        }.asCoroutineDispatcher()

        internal fun toOutput(id: String, value: Any?): ScriptOutput? = when (value) {
            null, Unit -> null
            is ScriptOutput -> value
            is ScriptResult -> ScriptOutput(id, value.text, value.table?.takeIf { it.children.isNotEmpty() })
            is String -> ScriptOutput(id, value)
            is Map<*, *>, is Iterable<*>, is Array<*> -> {
                val table = TableBuilder.element(null, value) as ScriptElement.Table
                ScriptOutput(id, TableBuilder.render(table), table)
            }
            else -> ScriptOutput(id, value.toString())
        }
    }
}
