package dev.kmap.packet.internal

import dev.kmap.packet.LinkType
import dev.kmap.packet.PacketIo
import dev.kmap.packet.PacketIoException
import dev.kmap.packet.PacketIoOptions
import dev.kmap.packet.PcapPacketIo
import dev.kmap.packet.RawSocketPacketIo
import java.net.NetworkInterface

/** [PacketIo.open]: raw IP sockets for loopback and non-Ethernet links, pcap injection otherwise. */
internal object PacketIoFactory {
    fun open(name: String, options: PacketIoOptions): PacketIo {
        val loopback = try {
            NetworkInterface.getByName(name)?.isLoopback
        } catch (e: Exception) {
            throw PacketIoException("cannot look up interface $name: ${e.message}", e)
        } ?: throw PacketIoException("no such interface: $name")
        val capture = PcapCapture(name, options)
        return if (loopback || capture.linkType != LinkType.ETHERNET) RawSocketPacketIo.over(capture) else PcapPacketIo.over(capture)
    }
}
