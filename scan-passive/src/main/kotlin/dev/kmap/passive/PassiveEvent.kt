package dev.kmap.passive

import dev.kmap.dsl.IpAddress

/**
 * What the passive pipeline reports, in capture order. Per flow: [Started], then [Packet]
 * (only when [PassiveLimits.packetEvents] is on), [Established], [StateChange] and [Message]s,
 * and [Ended] last with its reason and counters. Besides flows: [Neighbour] (an address and its
 * link-layer address), [OsHint] (a passive OS guess from a SYN or SYN/ACK), and [Finished] once
 * at the end. [flowId] numbers flows from 1 in the order they started.
 *
 * ```kotlin
 * passiveFlow(passive { read("capture.pcap") }).collect { e ->
 *     if (e is PassiveEvent.Ended) println("${e.flow} ${e.reason} ${e.stats.packetsUp}/${e.stats.packetsDown}")
 * }
 * ```
 */
public sealed interface PassiveEvent {
    /** Capture time of the packet that caused it, epoch nanoseconds. */
    public val timestampNanos: Long

    /** A flow's first packet. [midstream] is true for a TCP flow whose handshake was not seen. */
    public data class Started(val flow: FlowKey, val flowId: Long, override val timestampNanos: Long, val midstream: Boolean) : PassiveEvent

    /** One packet of a flow ([PassiveLimits.packetEvents]); [length] is its IP payload on the wire. */
    public data class Packet(val flow: FlowKey, val flowId: Long, override val timestampNanos: Long, val fromInitiator: Boolean, val length: Int) : PassiveEvent

    /** The TCP handshake completed. */
    public data class Established(val flow: FlowKey, val flowId: Long, override val timestampNanos: Long) : PassiveEvent

    /** A TCP flow changed state. */
    public data class StateChange(val flow: FlowKey, val flowId: Long, override val timestampNanos: Long, val from: FlowState, val to: FlowState) : PassiveEvent

    /** A parser's message; [fromInitiator] says which side sent the bytes. */
    public data class Message(val flow: FlowKey, val flowId: Long, override val timestampNanos: Long, val fromInitiator: Boolean, val message: PassiveMessage) : PassiveEvent

    /** The flow ended: its last [state], [reason] and counters. */
    public data class Ended(val flow: FlowKey, val flowId: Long, override val timestampNanos: Long, val reason: EndReason, val state: FlowState, val stats: FlowStats) : PassiveEvent

    /** [address] uses the link-layer address [mac] (from ARP, or the frames it sent). */
    public data class Neighbour(val address: IpAddress, val mac: String, override val timestampNanos: Long) : PassiveEvent

    /** A passive OS guess about [address] from its SYN ([fromSyn], it is a client) or SYN/ACK (a server on [port]). */
    public data class OsHint(val address: IpAddress, val port: Int, val fromSyn: Boolean, val guess: OsGuess, override val timestampNanos: Long) : PassiveEvent

    /** The capture ended (or was stopped); totals in [stats]. */
    public data class Finished(val stats: CaptureStats, override val timestampNanos: Long) : PassiveEvent
}
