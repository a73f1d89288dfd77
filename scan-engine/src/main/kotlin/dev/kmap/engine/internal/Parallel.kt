package dev.kmap.engine.internal

import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** Runs [work] for each item on a small pool of daemon threads within [budgetNanos]; the results that came in time. */
internal fun <T, R : Any> parallel(items: List<T>, budgetNanos: Long, name: String, work: (T) -> R?): Map<T, R> {
    if (items.isEmpty()) return emptyMap()
    val pool = Executors.newFixedThreadPool(minOf(16, items.size)) { r -> Thread(r, name).apply { isDaemon = true } }
    try {
        val futures = items.map { it to pool.submit<R?> { work(it) } }
        val deadline = System.nanoTime() + budgetNanos
        val out = HashMap<T, R>()
        for ((item, f) in futures) {
            runCatching { f.get((deadline - System.nanoTime()).coerceAtLeast(0), TimeUnit.NANOSECONDS) }.getOrNull()
                ?.let { out[item] = it }
        }
        return out
    } finally {
        pool.shutdownNow()
    }
}
