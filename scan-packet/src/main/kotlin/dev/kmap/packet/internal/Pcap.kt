package dev.kmap.packet.internal

import com.sun.jna.Pointer
import dev.kmap.packet.PacketIoException
import dev.kmap.packet.PacketIoOptions
import org.pcap4j.core.BpfProgram
import org.pcap4j.core.PcapHandle
import org.pcap4j.core.PcapNativeException
import org.pcap4j.core.PcapNetworkInterface

/** Opening pcap4j handles, with kmap's error messages. */
internal object Pcap {
    const val LIBPCAP_MISSING = "libpcap is missing: install libpcap0.8"

    /** Opens a live handle on [name]: non-blocking, inbound only, with [filter] if given. */
    fun open(name: String, snapLength: Int, bufferBytes: Int, immediate: Boolean, promiscuous: Boolean, filter: String?): PcapHandle {
        NativeSearchPath.prepare()
        val handle = try {
            PcapHandle.Builder(name)
                .snaplen(snapLength)
                .promiscuousMode(if (promiscuous) PcapNetworkInterface.PromiscuousMode.PROMISCUOUS else PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(10)
                .bufferSize(bufferBytes)
                .immediateMode(immediate)
                .build()
        } catch (e: PcapNativeException) {
            throw PacketIoException("cannot open $name: ${explain(e.message)}", e)
        } catch (e: LinkageError) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
            throw PacketIoException(LIBPCAP_MISSING, e)
        }
        try {
            handle.setDirection(PcapHandle.PcapDirection.IN)
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING)
            if (filter != null) setFilter(handle, filter)
        } catch (e: Throwable) {
            handle.close()
            if (e is PcapNativeException) throw PacketIoException("cannot set up capture on $name: ${e.message}", e)
            throw e
        }
        return handle
    }

    fun open(name: String, options: PacketIoOptions): PcapHandle =
        open(name, options.snapLength, options.bufferBytes, options.immediate, options.promiscuous, options.filter)

    fun setFilter(handle: PcapHandle, expression: String) {
        try {
            handle.setFilter(expression, BpfProgram.BpfCompileMode.OPTIMIZE)
        } catch (e: PcapNativeException) {
            throw PacketIoException("bad capture filter '$expression': ${e.message}", e)
        }
    }

    /** The `pcap_t *` inside a pcap4j handle, for [LibPcap]; null if pcap4j's layout changed. */
    fun pointerOf(handle: PcapHandle): Pointer? = try {
        val f = PcapHandle::class.java.getDeclaredField("handle")
        f.isAccessible = true
        f.get(handle) as? Pointer
    } catch (_: Exception) {
        null
    }

    /** libpcap's message, with the usual fix when it is about privileges. */
    fun explain(message: String?): String {
        val m = message ?: "unknown libpcap error"
        return if (m.contains("Operation not permitted") || m.contains("Permission denied") || m.contains("You don't have permission")) {
            "$m (raw packets need root or CAP_NET_RAW)"
        } else {
            m
        }
    }
}
