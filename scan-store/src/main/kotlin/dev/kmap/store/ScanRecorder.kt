package dev.kmap.store

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.Violation
import dev.kmap.store.internal.ScanWriter
import dev.kmap.store.internal.StoreDatabase

/**
 * The store as a sink of one running scan: give it every [ScanEvent] as it arrives ([accept]); a
 * writer thread commits them in small transactions (every [ScanWriter.COMMIT_MILLIS] ms), port by
 * port, so a process killed midway loses only the last moments and the database stays consistent.
 * [close] waits until everything accepted is written and marks the scan completed, interrupted or
 * (without a [ScanEvent.Finished]) failed.
 *
 * [accept] never blocks for long and never throws: a store that fails midway (disk full, server
 * gone) stops recording, reports once through the `onError` given to [ScanStore.record], and the
 * scan goes on. Call [accept] from one thread (a flow collector); [close] from the same.
 *
 * ```kotlin
 * ScanStore.open("jdbc:sqlite:scans.db").use { store ->
 *     val recorder = store.record(plan)
 *     scanFlow(plan).collect { recorder.accept(it) }
 *     recorder.close()
 *     println("stored as scan ${recorder.scanId}")
 * }
 * ```
 */
public class ScanRecorder internal constructor(
    db: StoreDatabase,
    public val scanId: Long,
    plan: ScanPlan,
    resumed: Boolean,
    onError: (StoreException) -> Unit,
) : AutoCloseable {
    private val writer = ScanWriter(db, scanId, plan, resumed, onError)

    /** The failure that stopped recording, or null while everything is stored. */
    public val failure: StoreException? get() = writer.failure

    /** Queues [event] for writing. Progress and warnings are not stored. */
    public fun accept(event: ScanEvent) {
        when (event) {
            is ScanEvent.Progress, is ScanEvent.Warning -> Unit
            else -> writer.put(event)
        }
    }

    /** Stores the checked [expectations] and what broke them (as reports show them). */
    public fun expectations(expectations: Expectations, violations: List<Violation>) {
        writer.put(ScanWriter.Checked(expectations, violations))
    }

    /**
     * Stores where the scan is: every target before walk [position] is finished, and [data] (JSON)
     * is the engine's state of the hosts in flight. `--resume` starts from the latest one.
     */
    public fun checkpoint(position: Long, data: String) {
        writer.put(ScanWriter.Checkpoint(position, data))
    }

    /** Writes everything accepted, sets the final status, and stops the writer thread. */
    override fun close() {
        writer.finish()
    }
}
