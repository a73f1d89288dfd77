package dev.kmap.passive

/**
 * Turns the reassembled bytes of one TCP flow into messages. The pipeline calls it with the
 * bytes of each side in order, in chunks of any size: a parser must give the same messages
 * for any split of the same bytes, must never throw, and must bound what it buffers (the
 * built-in ones reserve from the run's [ByteBudget]). [gap] reports bytes that were never
 * captured (a parser that cannot resynchronise poisons itself), [end] a FIN or RST.
 *
 * Once a parser has nothing more to learn from a side ([wants] false), the pipeline stops
 * reassembling that side, which is what makes long flows cheap. One thread calls it.
 *
 * ```kotlin
 * class LineCounter : StreamParser {
 *     var lines = 0
 *     override fun data(fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
 *         for (i in offset until offset + length) if (buffer[i] == '\n'.code.toByte()) lines++
 *     }
 *     override fun gap(fromInitiator: Boolean, length: Int, out: MessageSink) {}
 *     override fun end(fromInitiator: Boolean, reset: Boolean, out: MessageSink) {}
 *     override fun wants(fromInitiator: Boolean) = true
 *     override val poisonReason: String? get() = null
 * }
 * ```
 */
public interface StreamParser {
    /** [length] bytes of [buffer] from [offset], next in order from one side; valid only during the call. */
    public fun data(fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink)

    /** [length] bytes of one side are missing here (lost, or cut by the snap length). */
    public fun gap(fromInitiator: Boolean, length: Int, out: MessageSink)

    /** One side sent FIN ([reset] false) or the flow was reset or ended. */
    public fun end(fromInitiator: Boolean, reset: Boolean, out: MessageSink)

    /** Whether more bytes of that side are of use. */
    public fun wants(fromInitiator: Boolean): Boolean

    /** Why the parser gave up (bytes that are not its protocol, a gap it cannot cross), or null. */
    public val poisonReason: String?

    /** The flow ended: give back buffers. Called once. */
    public fun release() {}
}
