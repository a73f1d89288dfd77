package dev.kmap.packet.internal

import com.sun.jna.Memory
import com.sun.jna.Pointer
import dev.kmap.packet.PacketBatch
import dev.kmap.packet.PacketIoException
import org.pcap4j.core.PcapHandle
import org.pcap4j.core.PcapNativeException
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write

/**
 * The send half of the pcap-based packet I/O: its own libpcap handle (so transmit and receive
 * threads never share one), whose capture side a never-matching filter keeps empty. Frames go
 * through one native buffer: copying exactly the frame's bytes beats JNA's marshalling of the
 * whole Java array.
 */
internal class PcapInjector(val interfaceName: String) : PacketSender {
    private val handle: PcapHandle = Pcap.open(
        interfaceName, snapLength = 64, bufferBytes = 64 shl 10, immediate = false, promiscuous = false,
        filter = NEVER,
    )
    private val pcap: Pointer? = Pcap.pointerOf(handle)
    private val native = Memory(65536)
    private val lock = ReentrantReadWriteLock()

    @Volatile
    private var closed = false

    @Volatile
    override var sent: Long = 0
        private set

    @Volatile
    override var refused: Long = 0
        private set

    @Volatile
    override var failed: Long = 0
        private set

    override fun send(batch: PacketBatch): Int = lock.read {
        var i = 0
        while (i < batch.size && !closed) {
            val r = sendOne(batch.buffer(i), batch.length(i))
            if (r == REFUSED) {
                refused++
                break
            }
            if (r == SENT) sent++ else failed++
            i++
        }
        i
    }

    /** [SENT], [REFUSED] for now (buffer space), [FAILED] for this frame; throws when the interface is unusable. */
    private fun sendOne(bytes: ByteArray, len: Int): Int {
        val p = pcap
        val error = if (p == null) {
            try {
                handle.sendPacket(bytes, len)
                return SENT
            } catch (e: PcapNativeException) {
                e.message
            }
        } else {
            native.write(0, bytes, 0, len)
            if (LibPcap.pcap_sendpacket(p, native, len) == 0) return SENT
            LibPcap.pcap_geterr(p)
        }
        val m = error ?: ""
        return when {
            m.contains("No buffer space") || m.contains("Resource temporarily unavailable") || m.contains("Interrupted") -> REFUSED
            m.contains("Network is down") || m.contains("No such device") || m.contains("not permitted") ->
                throw PacketIoException("send on $interfaceName failed: ${Pcap.explain(m)}")
            else -> FAILED
        }
    }

    override fun close() {
        closed = true
        lock.write { if (handle.isOpen) handle.close() }
    }

    private companion object {
        const val SENT = 0
        const val REFUSED = 1
        const val FAILED = 2

        /** Matches no real packet (frames of at most 1 byte); libpcap refuses filters it can prove empty. */
        const val NEVER = "less 1"
    }
}
