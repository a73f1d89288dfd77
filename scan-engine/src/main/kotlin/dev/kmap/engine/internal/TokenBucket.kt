package dev.kmap.engine.internal

/**
 * A token bucket for `--max-rate`: [ratePerSecond] tokens a second, at most [burst] saved up.
 * Kept as the generic cell rate algorithm (one "theoretical arrival time"), which does not drift
 * the way adding up fractional tokens does. Time is passed in (nanoseconds), so tests drive it
 * with a virtual clock.
 */
internal class TokenBucket(ratePerSecond: Double, burst: Double, startNanos: Long) {
    init {
        require(ratePerSecond > 0 && ratePerSecond.isFinite()) { "rate $ratePerSecond" }
        require(burst >= 1 && burst.isFinite()) { "burst $burst" }
    }

    private val intervalNanos = 1e9 / ratePerSecond
    private val toleranceNanos = (burst - 1) * intervalNanos
    private var theoreticalArrival = startNanos.toDouble()

    /** Takes one token if there is one. */
    fun tryTake(nowNanos: Long): Boolean {
        if (nanosUntilToken(nowNanos) > 0) return false
        theoreticalArrival = maxOf(theoreticalArrival, nowNanos.toDouble()) + intervalNanos
        return true
    }

    /** Nanoseconds until a token is available (0 if one is now). */
    fun nanosUntilToken(nowNanos: Long): Long {
        val wait = theoreticalArrival - toleranceNanos - nowNanos
        return if (wait <= 0.0) 0 else Math.ceil(wait).toLong()
    }
}
