package dev.kmap.packet

/**
 * What a [PacketIo] sends and receives.
 *
 * ```kotlin
 * val eth = if (io.capabilities.canInjectFrames) EthernetAddresses(srcMac, nextHopMac) else null
 * val syn = TcpProbeTemplate(route.source, eth, TcpFlags.SYN)
 * ```
 *
 * @property linkType the framing of received packets.
 * @property canInjectFrames true when [PacketIo.send] takes complete Ethernet frames (build
 *   templates with [EthernetAddresses]).
 * @property needsRawIpSocket true when [PacketIo.send] takes bare IP packets, sent through a
 *   raw IP socket and routed by the kernel (build templates without [EthernetAddresses]).
 */
public data class PacketIoCapabilities(
    val linkType: LinkType,
    val canInjectFrames: Boolean,
    val needsRawIpSocket: Boolean,
)
