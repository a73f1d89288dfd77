package dev.kmap.passive

/**
 * Where frames come from: a capture file ([CaptureFileSource], pcap and pcapng, read by kmap's
 * own streaming reader), a capture file through libpcap ([Pcap4jFileSource]) or a live
 * interface ([LiveCaptureSource]). Replace it to feed frames from anywhere else.
 *
 * Threading: [read] is called from one thread at a time; [close] from any thread, after which
 * [read] returns -1.
 *
 * ```kotlin
 * CaptureFileSource.open(Path.of("capture.pcapng")).use { src ->
 *     while (src.read({ lt, b, off, len, wire, ts -> count++ }, 4096) >= 0) {}
 * }
 * ```
 */
public interface FrameSource : AutoCloseable {
    /** What this source reads, for messages: a file name, `interface eth0`. */
    public val description: String

    /**
     * Hands at most [maxFrames] frames to [sink] and returns how many; 0 when none is there
     * right now (a live source waited briefly), -1 at the end of the input. Raises
     * [CaptureFormatException] when a file is not a capture or is corrupt beyond the last
     * good frame, [java.io.IOException] when reading fails.
     */
    public fun read(sink: FrameSink, maxFrames: Int): Int

    /** Frames the kernel or the capture dropped, -1 when unknown (files). */
    public val dropped: Long get() = -1

    /** Releases the file or interface; idempotent. */
    override fun close()
}
