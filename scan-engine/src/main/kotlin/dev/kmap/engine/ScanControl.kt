package dev.kmap.engine

import java.util.concurrent.atomic.AtomicBoolean

/**
 * Stops a running scan gracefully: probes in flight are dropped, every host already started is
 * reported with what was found, and the scan finishes with `stats.interrupted = true`.
 * Thread-safe; [stop] may be called from any thread (a signal handler, say).
 *
 * ```kotlin
 * val control = ScanControl()
 * launch { delay(5.seconds); control.stop() }
 * val partial = scan(plan, EngineConfig(control = control))
 * ```
 */
public class ScanControl {
    private val stopped = AtomicBoolean(false)

    /** Asks the scan to stop. */
    public fun stop() { stopped.set(true) }

    /** True once [stop] was called. */
    public val isStopped: Boolean get() = stopped.get()
}
