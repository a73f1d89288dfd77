package dev.kmap.report.testing

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.ScanType
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.ScanControl
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import kotlin.reflect.KClass

/**
 * A connect-scan stand-in that answers every probe "closed" at once and, after [after] probes,
 * either fails (throws, as a broken socket layer would) or, with a [control], asks the scan to
 * stop (as Ctrl-C does) — or with [onProbe] does anything else (cancel a job, interrupt a
 * thread). Sends nothing: front-end tests use it to stop a scan midway, deterministically.
 * Shared by the front ends' tests through scan-report's test jar.
 */
class FaultyModule(
    private val after: Int = 1_500,
    private val control: ScanControl? = null,
    private val onProbe: ((Int) -> Unit)? = null,
) : ProbeModule {
    /** Sessions closed so far. */
    val closed = java.util.concurrent.atomic.AtomicInteger()
    override val name = "faulty"
    override val scanTypes = setOf(ScanType.CONNECT)
    override val discoveryProbes: Set<KClass<out DiscoveryProbe>> = emptySet()
    override val silence = Verdict(PortState.FILTERED, "no-response", false)

    override fun open(): ProbeSession = object : ProbeSession {
        private val pending = ArrayDeque<Probe>()
        private var sent = 0
        override val capacity = 64
        override fun send(probe: Probe): SendResult {
            sent++
            onProbe?.invoke(sent)
            if (sent == after) {
                if (control != null) control.stop() else if (onProbe == null) throw IllegalStateException("socket table exploded")
            }
            pending += probe
            return SendResult.SENT
        }
        override fun poll(timeoutNanos: Long, sink: ReplySink) {
            if (pending.isEmpty()) Thread.sleep(minOf(1L, timeoutNanos / 1_000_000))
            while (pending.isNotEmpty()) sink.reply(pending.removeFirst(), Verdict(PortState.CLOSED, "conn-refused", true))
        }
        override fun abandon(probe: Probe) { pending.remove(probe) }
        override fun close() { closed.incrementAndGet() }
    }

    companion object {
        /** An engine whose scan fails after [after] probes. */
        fun failing(after: Int = 1_500) = EngineConfig(modules = listOf(FaultyModule(after)), progressIntervalMillis = 0)

        /** An engine whose scan is stopped gracefully (as by Ctrl-C) after [after] probes. */
        fun stopping(after: Int = 1_500): EngineConfig {
            val control = ScanControl()
            return EngineConfig(modules = listOf(FaultyModule(after, control)), control = control, progressIntervalMillis = 0)
        }
    }
}
