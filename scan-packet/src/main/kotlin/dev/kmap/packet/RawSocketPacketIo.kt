package dev.kmap.packet

import dev.kmap.packet.internal.CaptureAndSend
import dev.kmap.packet.internal.PcapCapture
import dev.kmap.packet.internal.RawSocketSender

/**
 * [PacketIo] that sends bare IP packets through raw IP sockets (`SOCK_RAW`, `IPPROTO_RAW`, via
 * JNA) and captures with libpcap on [interfaceName]. For the loopback interface, where frames
 * injected below IP reach IP but never TCP, and for interfaces without Ethernet framing (tun).
 * The kernel routes each packet by its destination, so the route must lead over
 * [interfaceName] for replies to be captured. On loopback the capture also sees our own
 * probes (every packet there is both sent and received): filter on our local ports or the
 * remote ones, e.g. [CaptureFilter.tcpReplies] with the probes' source port range. Needs root
 * or CAP_NET_RAW.
 *
 * ```kotlin
 * RawSocketPacketIo.open("lo", PacketIoOptions(filter = "tcp and src port 8080")).use { io ->
 *     val syn = TcpProbeTemplate(IpAddress.parse("127.0.0.1"), ethernet = null, flags = TcpFlags.SYN)
 *     ...
 * }
 * ```
 */
public class RawSocketPacketIo private constructor(
    capture: PcapCapture,
    sender: RawSocketSender,
) : PacketIo by CaptureAndSend(capture.interfaceName, capture, sender, PacketIoCapabilities(capture.linkType, canInjectFrames = false, needsRawIpSocket = true)) {
    override fun toString(): String = "RawSocketPacketIo($interfaceName, $capabilities)"

    /** Opening. */
    public companion object {
        /**
         * Opens capture on [interfaceName] and an IPv4 raw socket (the IPv6 one opens on first
         * use). Raises [PacketIoException] when either fails.
         *
         * ```kotlin
         * val io = RawSocketPacketIo.open("lo")
         * ```
         */
        public fun open(interfaceName: String, options: PacketIoOptions = PacketIoOptions()): RawSocketPacketIo =
            over(PcapCapture(interfaceName, options))

        /** Takes over [capture] (closing it on failure). */
        internal fun over(capture: PcapCapture): RawSocketPacketIo {
            val sender = RawSocketSender()
            try {
                sender.openSocket(v6 = false)
                return RawSocketPacketIo(capture, sender)
            } catch (e: Throwable) {
                sender.close()
                capture.close()
                throw e
            }
        }
    }
}
