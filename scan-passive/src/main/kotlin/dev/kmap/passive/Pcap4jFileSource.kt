package dev.kmap.passive

import dev.kmap.packet.RawPackets
import org.pcap4j.core.PcapHandle
import org.pcap4j.core.PcapNativeException
import org.pcap4j.core.Pcaps
import java.io.EOFException
import java.io.IOException
import java.util.concurrent.TimeoutException

/**
 * A capture file read through libpcap's offline handle (pcap4j): pcap and the pcapng that
 * libpcap reads. [CaptureFileSource] is the default (faster, no native library, and its errors
 * name the offset); this one is here to compare against and as a fallback.
 *
 * ```kotlin
 * Pcap4jFileSource.open("capture.pcap").use { src -> while (src.read(sink, 4096) >= 0) {} }
 * ```
 */
public class Pcap4jFileSource private constructor(private val handle: PcapHandle, override val description: String) : FrameSource {
    private val linkType = handle.dlt.value()
    private var closed = false

    override fun read(sink: FrameSink, maxFrames: Int): Int {
        if (closed) return -1
        var n = 0
        while (n < maxFrames) {
            val bytes = try {
                handle.nextRawPacketEx
            } catch (_: EOFException) {
                return if (n == 0) -1 else n
            } catch (_: TimeoutException) {
                continue
            } catch (e: PcapNativeException) {
                throw CaptureFormatException("$description: ${e.message}")
            }
            val ts = handle.timestamp
            val nanos = if (ts == null) 0 else ts.time / 1000 * 1_000_000_000 + ts.nanos
            val wire = handle.originalLength.takeIf { it > 0 } ?: bytes.size
            sink.frame(linkType, bytes, 0, bytes.size, wire, nanos)
            n++
        }
        return n
    }

    override fun close() {
        if (closed) return
        closed = true
        handle.close()
    }

    /** Opening. */
    public companion object {
        /** Opens [path] with libpcap; [CaptureFormatException] when libpcap cannot read it. */
        public fun open(path: String): Pcap4jFileSource {
            RawPackets.toString() // loads scan-packet's native search path set-up
            val handle = try {
                Pcaps.openOffline(path, PcapHandle.TimestampPrecision.NANO)
            } catch (e: PcapNativeException) {
                throw CaptureFormatException("$path: ${e.message}")
            } catch (e: LinkageError) {
                throw IOException("libpcap is missing: install libpcap0.8", e)
            }
            return Pcap4jFileSource(handle, path)
        }
    }
}
