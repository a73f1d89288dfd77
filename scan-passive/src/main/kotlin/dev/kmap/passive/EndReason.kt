package dev.kmap.passive

/**
 * Why a flow ended: its TCP close completed ([CLOSED]), a RST ([RESET]), it was idle longer
 * than its protocol's timeout in capture time ([IDLE]), the flow table was full and this was
 * the least recently seen flow ([EVICTED]), or the capture ended ([CAPTURE_END]).
 *
 * ```kotlin
 * val evicted = events.count { it is PassiveEvent.Ended && it.reason == EndReason.EVICTED }
 * ```
 */
public enum class EndReason { CLOSED, RESET, IDLE, EVICTED, CAPTURE_END }
