package dev.kmap.engine.internal

import dev.kmap.dsl.Timing
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ProbeSession
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException

/**
 * Runs probes through [ProbeLoop]s: as many loops at once as the module allows (each on its own
 * thread with its own session and a disjoint share of the probes, see [LoopShares] for how the
 * limits are split), and keeps the sessions open for the whole scan (opening one can mean a
 * capture handle and threads): a loop takes a session of its module that no running loop uses,
 * opening one only when none is free. When one loop stops or fails, the others stop too.
 * Thread-safe; runs may overlap (discovery and the port scan of the hosts already found up).
 */
internal class LoopRunner(
    private val timing: Timing,
    private val clock: () -> Long,
    private val scanStopped: () -> Boolean,
) {
    private val lock = Any()
    private val running = ArrayList<TimingController>()
    private var finishedProbes = 0L
    private var unanswered = 0L
    private var reprobes = 0L
    private var reprobesAnswered = 0L
    private var rateLowered = false
    private val sessions = ArrayList<ProbeSession>()
    private val idle = HashMap<ProbeModule, ArrayDeque<ProbeSession>>()
    private val opening = HashMap<ProbeModule, CompletableFuture<ProbeSession>>() // by prewarm, not taken yet
    private var closed = false
    @Volatile private var aborted = false

    /** Probes sent so far, by finished and running loops. */
    val probesSent: Long get() = synchronized(lock) { finishedProbes + running.sumOf { it.probesSent } }

    /** The finished loops' loss figures, for [dev.kmap.engine.ScanStats]. */
    fun lossStats(): LossStats = synchronized(lock) { LossStats(unanswered, reprobes, reprobesAnswered, rateLowered) }

    class LossStats(val unanswered: Long, val reprobes: Long, val reprobesAnswered: Long, val rateLowered: Boolean)

    /** Counts [n] probes a stage sent without a loop (service detection's exchanges) into [probesSent]. */
    fun countSent(n: Long) {
        synchronized(lock) { finishedProbes += n }
    }

    fun stopRequested(): Boolean = aborted || scanStopped() || Thread.currentThread().isInterrupted

    /**
     * Runs [size] probes (flat indexes 0 until size, each turned into a probe by [probeAt], null to
     * skip); loop k takes the indexes ≡ k modulo the number of loops; [listener] makes loop k's
     * listener. Returns false when the scan was stopped.
     */
    fun run(module: ProbeModule, size: Long, listener: (k: Int) -> ProbeListener, probeAt: (Long) -> Probe?): Boolean {
        val shares = LoopShares.of(timing, module.concurrentSessions, size)
        val loops = shares.size
        fun loop(k: Int): Boolean {
            var next = k.toLong()
            val source = object : ProbeSource {
                override fun next(): Probe? {
                    while (next < size) {
                        val p = probeAt(next)
                        next += loops
                        if (p != null) return p
                    }
                    return null
                }
            }
            val l = listener(k)
            val session = acquire(module)
            val t = TimingController(shares[k], session.capacity, clock(), module.timingProfile)
            synchronized(lock) { running += t }
            return try {
                ProbeLoop(session, t, clock, source, l, ::stopRequested).run().also { if (!it) aborted = true }
            } finally {
                l.drain()
                synchronized(lock) {
                    idle.getOrPut(module) { ArrayDeque() }.addLast(session)
                    running -= t
                    finishedProbes += t.probesSent
                    unanswered += t.unanswered
                    reprobes += t.reprobes
                    reprobesAnswered += t.recovered
                    rateLowered = rateLowered || t.rateLowered
                }
            }
        }
        if (loops == 1) return loop(0)
        val results = BooleanArray(loops)
        val failures = arrayOfNulls<Throwable>(loops)
        val threads = (1 until loops).map { k ->
            Thread({
                try { results[k] = loop(k) } catch (e: Throwable) { failures[k] = e; aborted = true }
            }, "kmap-probe-loop-$k").apply { isDaemon = true; start() }
        }
        try {
            results[0] = loop(0)
        } catch (e: Throwable) {
            aborted = true
            throw e
        } finally {
            for (t in threads) {
                while (t.isAlive) {
                    try { t.join() } catch (e: InterruptedException) { aborted = true; Thread.currentThread().interrupt() }
                }
            }
        }
        failures.firstOrNull { it != null }?.let { throw it }
        return results.all { it }
    }

    /**
     * Opens a session of [module] on a thread of its own and runs [prepare] on it (e.g. opening
     * its capture handle for the first destination), so that the next [run] of [module] finds it
     * ready: the port scan's session opens while discovery runs. Does nothing when a session of
     * [module] is idle or already being opened. A failure here is no failure of the scan: the
     * run opens its session itself and meets the failure there.
     */
    fun prewarm(module: ProbeModule, prepare: (ProbeSession) -> Unit = {}) {
        val future = CompletableFuture<ProbeSession>()
        synchronized(lock) {
            if (closed || idle[module]?.isNotEmpty() == true || module in opening) return
            opening[module] = future
        }
        Thread({
            val session = try { module.open() } catch (e: Throwable) { future.completeExceptionally(e); return@Thread }
            runCatching { prepare(session) }
            // the scan may have ended meanwhile: then the session is closed here, not kept
            val keep = synchronized(lock) { if (closed) false else { sessions += session; true } }
            if (keep) future.complete(session) else { runCatching { session.close() }; future.completeExceptionally(IllegalStateException("runner closed")) }
        }, "kmap-prewarm").apply { isDaemon = true; start() }
    }

    /** An open session of [module] no running loop uses (runs of one module may overlap: discovery and the port scan). */
    private fun acquire(module: ProbeModule): ProbeSession {
        val early = synchronized(lock) {
            idle[module]?.removeFirstOrNull()?.let { return it }
            opening.remove(module)
        }
        if (early != null) {
            try {
                return early.get()
            } catch (e: ExecutionException) {
                // opening ahead failed: open here, where the failure (if it persists) is the run's
            } catch (e: InterruptedException) {
                Thread.currentThread().interrupt()
            }
        }
        val opened = module.open()
        synchronized(lock) { sessions += opened }
        return opened
    }

    fun close() {
        synchronized(lock) { closed = true; sessions.toList().also { sessions.clear(); idle.clear() } }.forEach { runCatching { it.close() } }
    }
}
