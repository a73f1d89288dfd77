package dev.kmap.packet

/**
 * Receives captured packets from [PacketIo.receive], on the receiving thread.
 *
 * ```kotlin
 * val sink = PacketSink { buf, off, len, ts -> println("$len bytes at $ts") }
 * ```
 */
public fun interface PacketSink {
    /**
     * One packet: [length] bytes of [buffer] from [offset], valid only during this call
     * (copy what you keep). [timestampNanos] is the capture time in nanoseconds since the epoch
     * (microsecond resolution from libpcap), or 0 when unknown.
     *
     * ```kotlin
     * override fun packet(buffer: ByteArray, offset: Int, length: Int, timestampNanos: Long) { keep += buffer.copyOfRange(offset, offset + length) }
     * ```
     */
    public fun packet(buffer: ByteArray, offset: Int, length: Int, timestampNanos: Long)
}
