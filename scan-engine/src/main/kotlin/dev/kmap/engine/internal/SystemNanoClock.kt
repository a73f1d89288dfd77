package dev.kmap.engine.internal

/**
 * The system's monotonic clock as a `() -> Long` ([dev.kmap.engine.EngineConfig.clock]'s default).
 * A function type returns a boxed Long: the probe loop, which reads the clock several times per
 * probe, recognises this one ([nanosOf]) and reads `System.nanoTime()` directly instead.
 */
internal object SystemNanoClock : () -> Long {
    override fun invoke(): Long = System.nanoTime()
}

/** [clock]'s time, without a boxed Long when it is [SystemNanoClock]. */
internal fun nanosOf(clock: () -> Long): Long = if (clock === SystemNanoClock) System.nanoTime() else clock()
