package dev.kmap.script.internal

import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import dev.kmap.script.ActionContext
import dev.kmap.script.HostRuleScope
import dev.kmap.script.LoadedScript
import dev.kmap.script.PortRuleScope
import dev.kmap.script.ScriptArgs
import dev.kmap.script.ScriptRegistry
import dev.kmap.script.ScriptResult
import dev.kmap.script.TableBuilder
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/**
 * Runs [scripts] on one host at a time: each script's rules (its port rule over every port, its
 * host rule), then the actions whose rules matched, at most [parallelism] at once. Every rule
 * pass and every action gets [budget] and runs on a daemon thread of its own pool, never on the
 * caller's, so code that never returns (a busy `portRule`) cannot hold the caller. A task that
 * overruns is cancelled; one that is still running [GRACE] later ignores cancellation and is
 * counted in [Outcome.stuck]: its thread cannot be stopped inside this JVM (the script worker
 * process ends itself when that happens; in-process it is abandoned).
 *
 * Outputs are capped by [limits].
 */
internal class ScriptExecution(
    private val scripts: List<LoadedScript>,
    private val scriptArgs: ScriptArgs,
    private val budget: Duration,
    private val parallelism: Int,
    private val registry: ScriptRegistry,
    private val limits: OutputLimits,
    /** What happens to a task that ignores cancellation, for its error line. */
    private val stuckNote: String = "its thread was abandoned",
) {
    /** The host with the scripts' outputs; [timeouts] rule passes and actions overran, [stuck] of them would not stop. */
    class Outcome(val host: HostResult, val timeouts: Int, val stuck: Int)

    private val permits = Semaphore(parallelism)
    private val detached = CoroutineScope(SupervisorJob() + pool)

    /** [progress] is called whenever a rule pass or an action ends (the worker's heartbeat). */
    suspend fun process(result: HostResult, progress: () -> Unit = {}): Outcome {
        if (result.status != HostStatus.UP || result.error != null || scripts.isEmpty()) return Outcome(result, 0, 0)
        val timeouts = AtomicInteger()
        val stuck = AtomicInteger()
        return coroutineScope {
            // 1. rules, one pass per script under the budget
            val passes = scripts.map { s -> async { rulePass(s, result, timeouts, stuck).also { progress() } } }.awaitAll()
            // 2. the actions whose rules matched
            val portJobs: List<List<Deferred<ScriptOutput?>>> = result.ports.indices.map { i ->
                scripts.indices.filter { passes[it].ports?.get(i) == true }.map { s ->
                    async { action(scripts[s], ActionContext(scripts[s].id, result, result.ports[i], registry, scriptArgs), timeouts, stuck).also { progress() } }
                }
            }
            val hostJobs = scripts.indices.filter { passes[it].host == true }.map { s ->
                async { action(scripts[s], ActionContext(scripts[s].id, result, null, registry, scriptArgs), timeouts, stuck).also { progress() } }
            }
            val ruleErrors = scripts.indices.mapNotNull { passes[it].error?.let { e -> ScriptOutput(scripts[it].id, e) } }
            val ports = result.ports.zip(portJobs).map { (p, jobs) -> p to jobs.awaitAll().filterNotNull() }
            val hostOutputs = ruleErrors + hostJobs.awaitAll().filterNotNull()
            Outcome(limits.capHost(result, ports, hostOutputs), timeouts.get(), stuck.get())
        }
    }

    /** Which ports (by index) and whether the host matched; null when the script has no such rule or its pass failed. */
    private class Pass(val ports: List<Boolean>?, val host: Boolean?, val error: String?)

    private suspend fun rulePass(script: LoadedScript, result: HostResult, timeouts: AtomicInteger, stuck: AtomicInteger): Pass {
        val portRule = script.instance.portRuleFn
        val hostRule = script.instance.hostRuleFn
        if (portRule == null && hostRule == null) return Pass(null, null, null)
        if (script.instance.actionFn == null) return Pass(null, null, null)
        val outcome = bounded(timeouts, stuck) {
            val ports = portRule?.let { rule -> result.ports.map { p -> runCatching { rule(PortRuleScope(result, p)) }.getOrDefault(false) } }
            val host = hostRule?.let { rule -> runCatching { rule(HostRuleScope(result)) }.getOrDefault(false) }
            Pass(ports, host, null)
        }
        return when (outcome) {
            is Bounded.Done -> outcome.value
            is Bounded.TimedOut -> Pass(null, null, "ERROR: its ${if (portRule != null) "portRule" else "hostRule"} timed out after $budget${stopped(outcome)}; the script did not run on this host")
            is Bounded.Failed -> Pass(null, null, "ERROR: its rule failed: ${describe(outcome.error)}")
        }
    }

    private suspend fun action(script: LoadedScript, context: ActionContext, timeouts: AtomicInteger, stuck: AtomicInteger): ScriptOutput? = permits.withPermit {
        val action = script.instance.actionFn ?: return@withPermit null
        when (val outcome = bounded(timeouts, stuck) { context.action() }) {
            is Bounded.Done -> toOutput(script.id, outcome.value)?.let(limits::capScript)
            is Bounded.TimedOut -> ScriptOutput(script.id, "ERROR: timed out after $budget${stopped(outcome)}")
            is Bounded.Failed -> ScriptOutput(script.id, "ERROR: ${describe(outcome.error)}${script.lineOf(outcome.error)?.let { " ($it)" } ?: ""}")
        }
    }

    private fun stopped(t: Bounded.TimedOut) = if (t.stuck) " (it ignored cancellation: $stuckNote)" else " (it was stopped)"

    private sealed interface Bounded<out T> {
        class Done<T>(val value: T) : Bounded<T>
        class TimedOut(val stuck: Boolean) : Bounded<Nothing>
        class Failed(val error: Throwable) : Bounded<Nothing>
    }

    private class Box<T>(val value: T)

    /** Runs [block] on the pool within [budget]; if it overran and does not stop within [GRACE] it is stuck. */
    private suspend fun <T> bounded(timeouts: AtomicInteger, stuck: AtomicInteger, block: suspend () -> T): Bounded<T> {
        // the block runs outside this scope: if it ignores cancellation, we still return at the deadline
        val job = detached.async { Box(block()) }
        try {
            val box = withTimeoutOrNull(budget) { job.await() }
            if (box != null) return Bounded.Done(box.value)
            job.cancel()
            timeouts.incrementAndGet()
            val stopped = withTimeoutOrNull(GRACE) { job.join() } != null
            if (!stopped) stuck.incrementAndGet()
            return Bounded.TimedOut(!stopped)
        } catch (e: CancellationException) {
            job.cancel()
            throw e
        } catch (e: Throwable) {
            return Bounded.Failed(e)
        }
    }

    companion object {
        /** How long a cancelled task may take to stop before it counts as stuck. */
        val GRACE: Duration = 300.milliseconds

        private val threads = AtomicInteger()
        private val pool = Executors.newCachedThreadPool { r ->
            Thread(r, "kmap-script-${threads.incrementAndGet()}").apply { isDaemon = true }
        }.asCoroutineDispatcher()

        fun describe(e: Throwable): String = e.message?.lineSequence()?.firstOrNull()?.takeIf { it.isNotBlank() }?.let { "${e.javaClass.simpleName}: $it" }
            ?: e.javaClass.simpleName

        fun toOutput(id: String, value: Any?): ScriptOutput? = when (value) {
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

/**
 * Caps on what scripts return: [perScript] characters per output (text and structure each) and
 * [perHost] for all outputs of one host. A cut output says so in its text (and as a last
 * `kmap-cut` element); outputs past the host cap are replaced by a one-line note.
 */
internal data class OutputLimits(val perScript: Int = 64 * 1024, val perHost: Int = 1024 * 1024) {
    fun capScript(o: ScriptOutput): ScriptOutput {
        val textCut = o.output.length > perScript
        val text = if (textCut) o.output.take(perScript) + "\n[kmap: output cut at $perScript of ${o.output.length} characters]" else o.output
        val elements = o.elements?.let { capTable(it) }
        return if (!textCut && elements === o.elements) o else ScriptOutput(o.id, text, elements)
    }

    private fun capTable(t: ScriptElement.Table): ScriptElement.Table {
        val total = size(t)
        if (total <= perScript) return t
        var budget = perScript
        fun cut(table: ScriptElement.Table): ScriptElement.Table {
            val kept = ArrayList<ScriptElement>()
            for (c in table.children) {
                if (budget <= 0) break
                when (c) {
                    is ScriptElement.Elem -> {
                        val n = (c.key?.length ?: 0) + c.value.length
                        kept += if (n <= budget) c else ScriptElement.Elem(c.key, c.value.take(maxOf(0, budget - (c.key?.length ?: 0))))
                        budget -= n
                    }
                    is ScriptElement.Table -> { budget -= c.key?.length ?: 0; kept += cut(c) }
                }
            }
            return ScriptElement.Table(kept, table.key)
        }
        val capped = cut(t)
        return ScriptElement.Table(capped.children + ScriptElement.Elem(CUT_KEY, "output cut at $perScript of $total characters"), t.key)
    }

    /** [ports] with their script outputs and the host's own, cut to [perHost] in report order. */
    fun capHost(result: HostResult, ports: List<Pair<PortResult, List<ScriptOutput>>>, hostOutputs: List<ScriptOutput>): HostResult {
        var used = 0
        fun admit(outputs: List<ScriptOutput>): List<ScriptOutput> = outputs.map { o ->
            val n = size(o)
            if (used + n <= perHost) { used += n; o } else ScriptOutput(o.id, "ERROR: output dropped: this host's scripts had already returned $used of at most $perHost characters")
        }
        val newPorts = ports.map { (p, outs) -> if (outs.isEmpty()) p else p.copy(scripts = p.scripts + admit(outs)) }
        return result.copy(ports = newPorts, hostScripts = result.hostScripts + admit(hostOutputs))
    }

    companion object {
        const val CUT_KEY = "kmap-cut"

        fun size(o: ScriptOutput): Int = o.output.length + (o.elements?.let(::size) ?: 0)

        fun size(e: ScriptElement): Int = when (e) {
            is ScriptElement.Elem -> (e.key?.length ?: 0) + e.value.length
            is ScriptElement.Table -> (e.key?.length ?: 0) + e.children.sumOf { size(it) }
        }
    }
}
