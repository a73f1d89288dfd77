package dev.kmap.engine.internal

/**
 * Jacobson/Karels RTT estimation (RFC 6298): smoothed RTT, RTT variance, and the retransmission
 * timeout `srtt + 4 * rttvar` clamped to [minRtoNanos]..[maxRtoNanos]. All in nanoseconds, Long
 * arithmetic: samples are clamped, so no overflow and no NaN whatever the input.
 */
internal class RttEstimator(
    private val initialRtoNanos: Long,
    private val minRtoNanos: Long,
    val maxRtoNanos: Long,
) {
    init {
        require(minRtoNanos in 1..maxRtoNanos) { "min RTO $minRtoNanos must be in 1..$maxRtoNanos" }
    }

    var srttNanos: Long = -1
        private set
    var rttvarNanos: Long = 0
        private set

    val hasSample: Boolean get() = srttNanos >= 0

    /** The current retransmission timeout. */
    val rtoNanos: Long
        get() = if (!hasSample) initialRtoNanos.coerceIn(minRtoNanos, maxOf(maxRtoNanos, initialRtoNanos))
        else (srttNanos + 4 * rttvarNanos).coerceIn(minRtoNanos, maxRtoNanos)

    /** Adds one round-trip sample. Negative samples (clock steps) count as 0. */
    fun sample(rttNanos: Long) {
        val r = rttNanos.coerceIn(0, MAX_SAMPLE_NANOS)
        if (!hasSample) {
            srttNanos = r
            rttvarNanos = r / 2
        } else {
            val delta = r - srttNanos
            srttNanos += delta / 8
            rttvarNanos += (Math.abs(delta) - rttvarNanos) / 4
        }
    }

    private companion object {
        const val MAX_SAMPLE_NANOS = 3_600_000_000_000L // an hour: far beyond any timeout, far below overflow
    }
}
