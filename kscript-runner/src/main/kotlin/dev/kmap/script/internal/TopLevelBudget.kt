package dev.kmap.script.internal

import dev.kmap.script.ScriptFailedException
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicReference
import kotlin.time.Duration

/**
 * The time budget of a script's top-level code. [run] runs the code on a daemon thread of its
 * own and returns its value, or throws [ScriptFailedException] once the code has used [budget];
 * time spent inside [pausing] (the scans a script runs) does not count. Code that overruns cannot
 * be stopped inside the JVM: its thread is left behind (the script worker and `kmap run` exit
 * right after, which ends it).
 */
internal class TopLevelBudget(private val budget: Duration?) {
    private val pausedSince = AtomicLong(0)
    private val pausedNanos = AtomicLong(0)

    /** Runs [block] (a scan) without charging its time to the budget. */
    fun <T> pausing(block: () -> T): T {
        if (!pausedSince.compareAndSet(0, System.nanoTime())) return block() // nested
        try {
            return block()
        } finally {
            pausedNanos.addAndGet(System.nanoTime() - pausedSince.getAndSet(0))
        }
    }

    fun <T> run(name: String, block: () -> T): T {
        if (budget == null) return block()
        val result = AtomicReference<Result<T>?>(null)
        val thread = Thread({ result.set(runCatching(block)) }, "kmap-script-top-level").apply { isDaemon = true }
        val start = System.nanoTime()
        thread.start()
        val limit = budget.inWholeNanoseconds
        while (true) {
            thread.join(20)
            result.get()?.let { return it.getOrThrow() }
            val paused = pausedSince.get().let { since -> if (since == 0L) 0 else System.nanoTime() - since }
            if (System.nanoTime() - start - pausedNanos.get() - paused > limit) {
                thread.interrupt()
                throw ScriptFailedException("$name: timed out after $budget in its top-level code (--script-timeout)")
            }
        }
    }
}
