package dev.kmap.store

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.ScanEvent
import dev.kmap.report.ScanJob
import dev.kmap.report.ScanSink
import dev.kmap.report.Violation
import dev.kmap.store.internal.ScanWriter
import dev.kmap.store.internal.StoreDatabase

/**
 * The store as a [ScanSink] of one running scan: hand it to a [ScanJob] (or give it every
 * [ScanEvent] yourself, [event]); a writer thread commits the events in small transactions
 * (every [ScanWriter.COMMIT_MILLIS] ms), port by port, with the engine's
 * [ScanEvent.Checkpoint]s, so a process killed midway loses only the last moments, the database
 * stays consistent, and [ScanStore.resume] continues from the last checkpoint.
 * [ScanEvent.PortUpdated] (service detection, scripts) updates the stored port.
 * [close] waits until everything is written and marks the scan completed, interrupted or
 * (without a [ScanEvent.Finished]) failed; a scan that never started is removed again.
 *
 * [event] never blocks for long and never throws: a store that fails midway (disk full, server
 * gone) stops recording, reports once through the `onError` given to [ScanStore.record], and the
 * scan goes on.
 *
 * ```kotlin
 * ScanStore.open("jdbc:sqlite:scans.db").use { store ->
 *     val recorder = store.record(plan)
 *     ScanJob(plan, sinks = listOf(recorder)).runBlocking()
 *     println("stored as scan ${recorder.scanId}")
 * }
 * ```
 */
public class ScanRecorder internal constructor(
    db: StoreDatabase,
    public val scanId: Long,
    plan: ScanPlan,
    private val resumed: Boolean,
    onError: (StoreException) -> Unit,
) : ScanSink, AutoCloseable {
    private val writer = ScanWriter(db, scanId, plan, resumed, onError)

    /** The failure that stopped recording, or null while everything is stored. */
    public val failure: StoreException? get() = writer.failure

    private var started = false

    /** Queues [event] for writing. Progress, warnings and the start of a host (its ports and its end are what is stored) are not stored. */
    override fun event(event: ScanEvent) {
        if (event is ScanEvent.Started) started = true
        when (event) {
            is ScanEvent.Progress, is ScanEvent.Warning, is ScanEvent.HostStarted -> Unit
            else -> writer.put(event)
        }
    }

    /** Stores the checked [expectations] and what broke them (as reports show them). */
    override fun verdict(expectations: Expectations, violations: List<Violation>) {
        writer.put(ScanWriter.Checked(expectations, violations))
    }

    /** Writes everything queued and sets the final status; a new scan that never [started] is deleted. */
    override fun close(started: Boolean) {
        writer.finish(discard = !started && !resumed)
    }

    /** [close] as a sink: writes everything accepted, sets the final status, and stops the writer thread. */
    override fun close() {
        close(started)
    }
}
