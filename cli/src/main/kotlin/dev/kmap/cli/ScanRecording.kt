package dev.kmap.cli

import dev.kmap.report.ScanSink
import dev.kmap.store.RecordSettings
import dev.kmap.store.ScanRecorder
import dev.kmap.store.ScanStore
import dev.kmap.store.StoreException
import java.io.PrintStream

/**
 * A CLI scan's store: the open [store] and the [recorder], the store's [ScanSink] that
 * [ScanRun.sinks] adds. Opened before the first packet (a bad store is one line and exit 2
 * before anything is sent); [close]d, with the store, when the scan ends however it ends. A
 * store that fails midway prints one warning and the scan goes on.
 */
internal class ScanRecording(private val store: ScanStore, val recorder: ScanRecorder) : AutoCloseable {
    val scanId: Long get() = recorder.scanId
    val url: String get() = store.url

    /** True when everything reached the store. */
    val complete: Boolean get() = recorder.failure == null

    private var closed = false

    override fun close() {
        if (closed) return
        closed = true
        try { recorder.close() } finally { store.close() }
    }

    companion object {
        /**
         * Opens the store at [url] and starts recording [options]' scan (its plan with the
         * timing learned for its networks, see [LearnedTiming]); returns the recording and the
         * options to run. A store that cannot be used is a [UserError] (exit 2).
         */
        fun start(url: String, options: ScanOptions, settings: RecordSettings, err: PrintStream): Pair<ScanRecording, ScanOptions> {
            val store = StoreAccess.openForWriting(url)
            try {
                val learned = options.copy(plan = LearnedTiming.apply(store, options.plan, options.debugging, err))
                return ScanRecording(store, store.record(learned.plan, settings, warner(err))) to learned
            } catch (e: StoreException) {
                store.close()
                throw UserError(e.message ?: "cannot record the scan", StoreAccess.HINT)
            }
        }

        /** A warning line for a store that failed midway. */
        fun warner(err: PrintStream): (StoreException) -> Unit = { e ->
            err.println("kmap: warning: the store stopped recording this scan: ${e.message}")
        }
    }
}
