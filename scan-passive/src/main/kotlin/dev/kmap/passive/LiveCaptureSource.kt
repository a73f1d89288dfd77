package dev.kmap.passive

import dev.kmap.packet.PacketIoException
import org.pcap4j.core.BpfProgram
import org.pcap4j.core.PcapHandle
import org.pcap4j.core.PcapNativeException
import org.pcap4j.core.PcapNetworkInterface
import java.io.IOException

/**
 * Live capture on an interface through libpcap, both directions, with a kernel BPF [filter]
 * (libpcap syntax; null for everything). [read] waits at most about 100 ms for frames, so a
 * caller can check a deadline or a stop flag between calls. Needs root or CAP_NET_RAW.
 *
 * ```kotlin
 * LiveCaptureSource.open("eth0", filter = "tcp port 443").use { src -> while (!stop) src.read(pipeline, 4096) }
 * ```
 */
public class LiveCaptureSource private constructor(private val handle: PcapHandle, override val description: String) : FrameSource {
    private val linkType = handle.dlt.value()
    @Volatile
    private var closed = false

    override fun read(sink: FrameSink, maxFrames: Int): Int {
        if (closed) return -1
        var n = 0
        val deadline = System.nanoTime() + WAIT_NANOS
        // non-blocking reads under our own deadline: pcap_next_ex in blocking mode may never return
        while (n < maxFrames && !closed) {
            val bytes = try {
                synchronized(this) { if (closed) return -1; handle.nextRawPacket }
            } catch (e: PcapNativeException) {
                if (closed) return -1
                throw IOException("capture on $description failed: ${e.message}")
            }
            if (bytes == null) {
                if (n > 0 || System.nanoTime() > deadline) return n
                Thread.sleep(2)
                continue
            }
            val ts = handle.timestamp
            val nanos = if (ts == null) System.currentTimeMillis() * 1_000_000 else ts.time / 1000 * 1_000_000_000 + ts.nanos
            sink.frame(linkType, bytes, 0, bytes.size, handle.originalLength.takeIf { it > 0 } ?: bytes.size, nanos)
            n++
        }
        return n
    }

    override val dropped: Long
        get() = try { if (closed) -1 else handle.stats.numPacketsDropped } catch (_: Exception) { -1 }

    override fun close() {
        if (closed) return
        closed = true
        synchronized(this) { handle.close() }
    }

    /** Opening. */
    public companion object {
        private const val WAIT_NANOS = 100_000_000L

        /**
         * Opens [interfaceName] for capture. Raises [PacketIoException] with one line (no such
         * interface, no privileges, a filter that does not compile).
         */
        public fun open(interfaceName: String, filter: String? = null, snapLength: Int = 65535, promiscuous: Boolean = true): LiveCaptureSource {
            val handle = try {
                PcapHandle.Builder(interfaceName)
                    .snaplen(snapLength)
                    .promiscuousMode(if (promiscuous) PcapNetworkInterface.PromiscuousMode.PROMISCUOUS else PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(100)
                    .bufferSize(32 shl 20)
                    .timestampPrecision(PcapHandle.TimestampPrecision.MICRO)
                    .build()
            } catch (e: PcapNativeException) {
                val m = e.message ?: "unknown libpcap error"
                val why = if ("ermission" in m || "not permitted" in m) "$m (capture needs root or CAP_NET_RAW)" else m
                throw PacketIoException("cannot capture on $interfaceName: $why", e)
            } catch (e: LinkageError) {
                throw PacketIoException("libpcap is missing: install libpcap0.8", e)
            }
            try {
                handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING)
                if (filter != null) handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE)
            } catch (e: PcapNativeException) {
                handle.close()
                throw PacketIoException("bad capture filter '$filter': ${e.message}", e)
            }
            return LiveCaptureSource(handle, "interface $interfaceName")
        }
    }
}
