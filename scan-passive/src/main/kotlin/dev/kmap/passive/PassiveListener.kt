package dev.kmap.passive

/**
 * Receives the events of a [PassivePipeline], synchronously on its thread (the fastest way
 * in: no coroutine per event). [passiveFlow] wraps one in a `Flow`.
 *
 * ```kotlin
 * val pipeline = PassivePipeline(PassiveLimits()) { e -> if (e is PassiveEvent.Message) println(e.message) }
 * ```
 */
public fun interface PassiveListener {
    /** One event; the pipeline waits for it to return. */
    public fun event(event: PassiveEvent)
}
