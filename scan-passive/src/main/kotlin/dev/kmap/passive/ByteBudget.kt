package dev.kmap.passive

/**
 * The bytes one passive run may hold in buffers (reassembly and parsers together), shared by
 * every flow: a reservation that does not fit is refused and the caller drops and counts the
 * data instead. Not thread-safe: one pipeline thread uses it.
 *
 * ```kotlin
 * val budget = ByteBudget(64L shl 20)
 * if (budget.reserve(segment.size)) keep(segment) else dropped += segment.size
 * ```
 *
 * @property limit the most bytes held at once.
 */
public class ByteBudget(public val limit: Long) {
    /** Bytes held now. */
    public var used: Long = 0
        private set

    /** The most bytes held at once so far. */
    public var peak: Long = 0
        private set

    /** Takes [bytes] if they fit under [limit]; false (and nothing taken) otherwise. */
    public fun reserve(bytes: Int): Boolean {
        if (bytes < 0 || used + bytes > limit) return false
        used += bytes
        if (used > peak) peak = used
        return true
    }

    /** Gives back [bytes] taken by [reserve]. */
    public fun release(bytes: Int) {
        used = (used - bytes).coerceAtLeast(0)
    }
}
