package dev.kmap.packet

import dev.kmap.packet.internal.CaptureAndSend
import dev.kmap.packet.internal.CaptureSocketSender
import dev.kmap.packet.internal.PcapCapture

/**
 * [PacketIo] over libpcap (pcap4j) for Ethernet interfaces: sends complete Ethernet frames with
 * `send(2)` on the capture handle's packet socket and captures inbound packets through a kernel
 * BPF filter, with non-blocking reads under our own deadline. Needs root or CAP_NET_RAW.
 *
 * ```kotlin
 * PcapPacketIo.open("kmp-br0", PacketIoOptions(filter = CaptureFilter.replies(src))).use { io -> io.send(batch) }
 * ```
 */
public class PcapPacketIo private constructor(
    capture: PcapCapture,
    sender: CaptureSocketSender,
) : PacketIo by CaptureAndSend(capture.interfaceName, capture, sender, PacketIoCapabilities(capture.linkType, canInjectFrames = true, needsRawIpSocket = false)) {
    override fun toString(): String = "PcapPacketIo($interfaceName, $capabilities)"

    /** Opening. */
    public companion object {
        /**
         * Opens [interfaceName], which must have Ethernet framing (use [PacketIo.open] to choose
         * automatically). Raises [PacketIoException] when it cannot.
         *
         * ```kotlin
         * val io = PcapPacketIo.open("kmp-br0")
         * ```
         */
        public fun open(interfaceName: String, options: PacketIoOptions = PacketIoOptions()): PcapPacketIo =
            over(PcapCapture(interfaceName, options))

        /** Takes over [capture] (closing it on failure). */
        internal fun over(capture: PcapCapture): PcapPacketIo {
            try {
                if (capture.linkType != LinkType.ETHERNET) {
                    throw PacketIoException("${capture.interfaceName} has ${capture.linkType} framing, not Ethernet: use RawSocketPacketIo")
                }
                return PcapPacketIo(capture, CaptureSocketSender(capture))
            } catch (e: Throwable) {
                capture.close()
                throw e
            }
        }
    }
}
