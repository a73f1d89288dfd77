package dev.kmap.report.internal

import dev.kmap.dsl.InternalKmapApi
import java.io.Writer

/**
 * When a sink flushes what it wrote to [out]: at most every [intervalNanos] while hosts stream
 * (a 65536-host sweep does not flush 65536 times), and what waits at the job's
 * [dev.kmap.report.ScanSink.flush]. Shared by the report files' sink and the CLI's terminal report.
 *
 * ```kotlin
 * val throttle = FlushThrottle(out, intervalNanos = 20_000_000)
 * formatter.host(result, out); throttle.written()
 * ```
 */
@InternalKmapApi
public class FlushThrottle(private val out: Writer, private val intervalNanos: Long) {
    private var lastFlush = 0L

    // read by the job's flush, which the job serialises with the sink's other calls; volatile all the same
    @Volatile private var unflushed = false

    /** After writing to [out]: flushes now when [force] or the last flush is [intervalNanos] old, else leaves it for [flushPending]. */
    public fun written(force: Boolean = false) {
        val now = System.nanoTime()
        if (force || now - lastFlush >= intervalNanos) {
            out.flush()
            lastFlush = now
            unflushed = false
        } else {
            unflushed = true
        }
    }

    /** Flushes [out] when something written since its last flush waits there. */
    public fun flushPending() {
        if (!unflushed) return
        unflushed = false
        out.flush()
    }
}
