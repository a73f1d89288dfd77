package dev.kmap.engine.internal

/**
 * The system's monotonic clock as a `() -> Long` ([dev.kmap.engine.EngineConfig.clock]'s default).
 * A function type returns a boxed Long: the probe loop and the raw sessions, which read the clock
 * on every probe, recognise this one ([nanosOf]) and read `System.nanoTime()` directly instead.
 */
internal object SystemNanoClock : () -> Long {
    override fun invoke(): Long = System.nanoTime()
}

/** [clock]'s time, without a boxed Long when it is [SystemNanoClock]. */
internal fun nanosOf(clock: () -> Long): Long = if (clock === SystemNanoClock) System.nanoTime() else clock()
