package dev.kmap.engine.internal

import dev.kmap.engine.ScanEvent

/**
 * Hands events on in batches: one hand-off (a channel send, a thread switch) per [BATCH] events or
 * per [FLUSH_NANOS], not per port. Thread-safe; events keep the order in which [emit] was called.
 * [sink] may block (back-pressure from a slow collector); it is called under this batcher's lock only.
 */
internal class EventBatcher(private val sink: (List<ScanEvent>) -> Unit, private val clock: () -> Long) {
    private val lock = Any()
    private var batch = ArrayList<ScanEvent>(BATCH)
    @Volatile private var lastFlushNanos = clock()

    fun emit(event: ScanEvent) = synchronized(lock) {
        batch += event
        if (batch.size >= BATCH) flush()
    }

    fun flush() {
        synchronized(lock) {
            lastFlushNanos = clock()
            if (batch.isEmpty()) return
            val full = batch
            batch = ArrayList(BATCH)
            sink(full)
        }
    }

    /** Flushes when the last flush is older than [FLUSH_NANOS] (called from the loops' ticks). */
    fun flushIfDue(nowNanos: Long) {
        if (nowNanos - lastFlushNanos > FLUSH_NANOS) flush()
    }

    companion object {
        const val BATCH = 512
        const val FLUSH_NANOS = 20_000_000L
    }
}
