package dev.kmap.passive

/**
 * Receives frames from a [FrameSource], on the reading thread. The buffer is valid only
 * during the call: copy what you keep.
 *
 * ```kotlin
 * val sink = FrameSink { linkType, buf, off, len, wireLength, ts -> println("$len of $wireLength bytes at $ts") }
 * ```
 */
public fun interface FrameSink {
    /**
     * One frame: [capturedLength] bytes of [buffer] from [offset], framed as the pcap
     * [linkType] (`LINKTYPE_` number: 1 Ethernet, 101 raw IP, 113 Linux SLL, 276 SLL2, 0/108 BSD
     * loopback), [wireLength] bytes long on the wire (more than captured when the snap length
     * cut it), captured at [timestampNanos] (epoch nanoseconds).
     */
    public fun frame(linkType: Int, buffer: ByteArray, offset: Int, capturedLength: Int, wireLength: Int, timestampNanos: Long)
}
