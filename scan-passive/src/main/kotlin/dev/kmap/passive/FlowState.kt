package dev.kmap.passive

/**
 * Where a flow is. TCP flows follow SYN_SENT → SYN_RECEIVED → ESTABLISHED → FIN_WAIT (one side
 * sent FIN) → CLOSING (both did) → CLOSED (the last FIN was acknowledged), or RESET; a TCP flow
 * picked up after its handshake starts ESTABLISHED. Other protocols are [ACTIVE] until idle.
 *
 * ```kotlin
 * if (event is PassiveEvent.StateChange && event.to == FlowState.RESET) println("${event.flow} reset")
 * ```
 */
public enum class FlowState { SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT, CLOSING, CLOSED, RESET, ACTIVE }
