package dev.kmap.store

/**
 * Where a stored scan stands. [RUNNING] scans whose process stopped writing (killed, machine
 * lost) read as [ABORTED]; [INTERRUPTED], [FAILED] and [ABORTED] scans can be resumed.
 *
 * ```kotlin
 * store.history().filter { it.status.resumable }.forEach { println(it.id) }
 * ```
 */
public enum class ScanStatus(public val label: String, public val resumable: Boolean) {
    RUNNING("running", false),
    COMPLETED("completed", false),
    INTERRUPTED("interrupted", true),
    FAILED("failed", true),
    ABORTED("aborted", true),
    ;

    internal companion object {
        fun ofLabel(label: String): ScanStatus = entries.firstOrNull { it.label == label } ?: FAILED
    }
}
