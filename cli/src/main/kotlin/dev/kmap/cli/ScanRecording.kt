package dev.kmap.cli

import dev.kmap.dsl.Expectations
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.Violation
import dev.kmap.store.ScanRecorder
import dev.kmap.store.ScanStore
import java.io.PrintStream

/**
 * The store as one more consumer of a CLI scan's events: opened before the first packet (a bad
 * store is one line and exit 2 before anything is sent), fed every event, closed (and the store
 * with it) when the scan ends however it ends. A store that fails midway prints one warning and
 * the scan goes on.
 */
internal class ScanRecording(private val store: ScanStore, private val recorder: ScanRecorder) : AutoCloseable {
    val scanId: Long get() = recorder.scanId
    val url: String get() = store.url

    fun accept(event: ScanEvent) = recorder.accept(event)

    fun expectations(expectations: Expectations, violations: List<Violation>) = recorder.expectations(expectations, violations)

    /** True when everything reached the store. */
    val complete: Boolean get() = recorder.failure == null

    override fun close() {
        try { recorder.close() } finally { store.close() }
    }

    companion object {
        /** A warning line for a store that failed midway. */
        fun warner(err: PrintStream): (dev.kmap.store.StoreException) -> Unit = { e ->
            err.println("kmap: warning: the store stopped recording this scan: ${e.message}")
        }
    }
}
