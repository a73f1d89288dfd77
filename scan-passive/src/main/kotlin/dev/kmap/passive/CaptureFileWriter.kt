package dev.kmap.passive

import java.io.BufferedOutputStream
import java.io.OutputStream

/**
 * Writes frames as pcap (microsecond, little-endian) or pcapng (one section, one interface,
 * nanosecond timestamps, enhanced packet blocks): what `kmap passive -w` saves and what tests
 * write their edge cases with. Not thread-safe.
 *
 * ```kotlin
 * CaptureFileWriter(Files.newOutputStream(path), CaptureFileWriter.Format.PCAPNG, linkType = 1).use { w ->
 *     w.frame(frame, 0, frame.size, frame.size, System.currentTimeMillis() * 1_000_000)
 * }
 * ```
 *
 * @property format pcap or pcapng.
 * @property linkType the pcap `LINKTYPE_` of every frame (1 Ethernet, 101 raw IP, 113 SLL, 276 SLL2).
 */
public class CaptureFileWriter(
    output: OutputStream,
    public val format: Format,
    public val linkType: Int,
    private val snapLength: Int = 262_144,
) : FrameSink, AutoCloseable {
    /** The two file formats. */
    public enum class Format { PCAP, PCAPNG }

    private val out = BufferedOutputStream(output, 1 shl 16)
    private val scratch = ByteArray(32)

    init {
        if (format == Format.PCAP) {
            le32(0xa1b2c3d4.toInt()); le16(2); le16(4); le32(0); le32(0); le32(snapLength); le32(linkType)
        } else {
            // section header block: no options, unknown section length
            le32(0x0a0d0d0a); le32(28); le32(0x1a2b3c4d); le16(1); le16(0); le32(-1); le32(-1); le32(28)
            // interface description block with if_tsresol = 9 (nanoseconds)
            le32(1); le32(32); le16(linkType); le16(0); le32(snapLength)
            le16(9); le16(1); out.write(9); out.write(0); out.write(0); out.write(0); le16(0); le16(0); le32(32)
        }
    }

    /** Writes [length] bytes of [buffer] from [offset], [wireLength] long on the wire, at [timestampNanos]. */
    public fun frame(buffer: ByteArray, offset: Int, length: Int, wireLength: Int, timestampNanos: Long) {
        if (format == Format.PCAP) {
            le32((timestampNanos / 1_000_000_000).toInt()); le32(((timestampNanos % 1_000_000_000) / 1000).toInt())
            le32(length); le32(wireLength)
            out.write(buffer, offset, length)
        } else {
            val pad = (4 - length % 4) % 4
            val total = 32 + length + pad
            le32(6); le32(total); le32(0); le32((timestampNanos ushr 32).toInt()); le32(timestampNanos.toInt())
            le32(length); le32(wireLength)
            out.write(buffer, offset, length)
            repeat(pad) { out.write(0) }
            le32(total)
        }
    }

    /** As a [FrameSink]: frames of another link type than [linkType] are written as they are. */
    override fun frame(linkType: Int, buffer: ByteArray, offset: Int, capturedLength: Int, wireLength: Int, timestampNanos: Long) {
        frame(buffer, offset, capturedLength, wireLength, timestampNanos)
    }

    private fun le16(v: Int) { scratch[0] = v.toByte(); scratch[1] = (v ushr 8).toByte(); out.write(scratch, 0, 2) }

    private fun le32(v: Int) {
        scratch[0] = v.toByte(); scratch[1] = (v ushr 8).toByte(); scratch[2] = (v ushr 16).toByte(); scratch[3] = (v ushr 24).toByte()
        out.write(scratch, 0, 4)
    }

    /** Flushes what is buffered. */
    public fun flush() { out.flush() }

    override fun close() { out.close() }
}
