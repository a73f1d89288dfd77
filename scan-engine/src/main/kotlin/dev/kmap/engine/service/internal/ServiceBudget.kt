package dev.kmap.engine.service.internal

import dev.kmap.engine.internal.FileDescriptorBudget
import dev.kmap.engine.internal.TokenBucket
import kotlinx.coroutines.delay
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import java.util.concurrent.atomic.AtomicLong

/**
 * The scan's budget as service detection spends it: at most [connections] exchanges at once
 * (the timing template's figure, capped by `--max-parallelism` and by the sockets this process
 * may still open), new exchanges no faster than `--max-rate` a second, and a count of exchanges
 * that the scan's probe total includes ([onSent]).
 */
internal class ServiceBudget(connections: Int, maxRate: Double?, private val onSent: (Long) -> Unit) {
    /** Exchanges at once: [connections], or fewer when sockets are short. */
    val parallel: Int = minOf(connections, maxOf(1, FileDescriptorBudget.available() / 2))

    private val permits = Semaphore(parallel)
    private val rate = maxRate?.let { TokenBucket(it, burst = maxOf(1.0, minOf(it, parallel.toDouble())), startNanos = System.nanoTime()) }
    private val sent = AtomicLong()

    /** Exchanges started so far. */
    val exchanges: Long get() = sent.get()

    /** Runs one exchange ([block], blocking I/O) within the budget. */
    suspend fun <T> send(block: () -> T): T = permits.withPermit {
        if (rate != null) {
            while (true) {
                val wait = synchronized(rate) { if (rate.tryTake(System.nanoTime())) 0L else maxOf(1L, rate.nanosUntilToken(System.nanoTime())) }
                if (wait == 0L) break
                delay((wait + 999_999) / 1_000_000)
            }
        }
        sent.incrementAndGet()
        onSent(1)
        block()
    }
}
