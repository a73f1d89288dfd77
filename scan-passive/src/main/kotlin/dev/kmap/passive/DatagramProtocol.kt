package dev.kmap.passive

/**
 * A protocol carried in single UDP datagrams (DNS): recognised per flow from its first
 * datagram with a payload, then every datagram of the flow is parsed on its own. Must never
 * throw on any bytes.
 *
 * ```kotlin
 * object Syslog : DatagramProtocol {
 *     override val name = "syslog"
 *     override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int) = flow.responderPort == 514
 *     override fun parse(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
 *         out.message(fromInitiator, PassiveMessage.ServerBanner(String(buffer, offset, minOf(length, 200), Charsets.ISO_8859_1)))
 *     }
 * }
 * ```
 */
public interface DatagramProtocol {
    /** Its name, e.g. `dns`. */
    public val name: String

    /** Whether the flow's first datagram with a payload (these bytes) is this protocol. */
    public fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int): Boolean

    /** Parses one datagram. */
    public fun parse(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink)
}
