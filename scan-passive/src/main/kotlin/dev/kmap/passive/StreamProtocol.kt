package dev.kmap.passive

/**
 * A protocol that can be spoken over TCP: it recognises a flow from the first bytes (at most
 * [SNIFF_BYTES]) of the side that spoke first, and makes a [StreamParser] for it. The pipeline
 * asks each registered protocol in order ([PassiveParsers]); the first that accepts wins.
 *
 * ```kotlin
 * object Redis : StreamProtocol {
 *     override val name = "redis"
 *     override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int) =
 *         fromInitiator && length > 0 && buffer[offset] == '*'.code.toByte()
 *     override fun create(flow: FlowKey, budget: ByteBudget, matcher: ServiceMatcher): StreamParser = RedisParser()
 * }
 * ```
 */
public interface StreamProtocol {
    /** Its name, e.g. `http`. */
    public val name: String

    /** Whether the flow starts with [length] bytes of [buffer] from [offset], sent by the initiator if [fromInitiator]. */
    public fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int): Boolean

    /** A parser for one flow; it reserves its buffers from [budget]. */
    public fun create(flow: FlowKey, budget: ByteBudget, matcher: ServiceMatcher): StreamParser

    /** Constants. */
    public companion object {
        /** How many bytes of the first side are gathered before the protocols are asked. */
        public const val SNIFF_BYTES: Int = 8
    }
}
