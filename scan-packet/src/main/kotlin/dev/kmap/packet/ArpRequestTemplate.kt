package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.put16
import dev.kmap.packet.internal.put32
import dev.kmap.packet.internal.put48

/**
 * ARP requests ("who has [target]? tell [senderAddress]") broadcast from [senderMac]; padded to
 * the 60-byte Ethernet minimum. Per probe: the target address.
 *
 * ```kotlin
 * val arp = ArpRequestTemplate(route.interfaceMac!!, route.source)
 * val len = arp.write(buf, 0, IpAddress.parse("10.208.0.11"))
 * ```
 *
 * @property senderMac our interface's MAC address.
 * @property senderAddress our IPv4 address on that interface.
 */
public class ArpRequestTemplate(
    public val senderMac: MacAddress,
    public val senderAddress: IpAddress,
) : ProbeTemplate() {
    init {
        require(!senderAddress.isV6) { "ARP is for IPv4; IPv6 uses NeighbourSolicitationTemplate: $senderAddress" }
    }

    private val bytes = ByteArray(60).also { b ->
        b.put48(0, MacAddress.BROADCAST.bits)
        b.put48(6, senderMac.bits)
        b.put16(12, 0x0806)
        b.put16(14, 1) // Ethernet
        b.put16(16, 0x0800) // IPv4
        b[18] = 6
        b[19] = 4
        b.put16(20, 1) // request
        b.put48(22, senderMac.bits)
        b.put32(28, senderAddress.low.toInt())
        // target MAC (32..37) stays zero: unknown
    }

    override val length: Int get() = 60
    override val ethernet: EthernetAddresses = EthernetAddresses(senderMac, MacAddress.BROADCAST)
    override val isV6: Boolean get() = false

    /**
     * Writes a request for [target] into [buffer] at [offset] and returns its length (60).
     *
     * ```kotlin
     * arp.write(buf, 0, nextHop)
     * ```
     */
    public fun write(buffer: ByteArray, offset: Int, target: IpAddress): Int {
        require(!target.isV6) { "ARP target must be IPv4: $target" }
        require(offset >= 0 && buffer.size - offset >= 60) { "buffer too small: needs 60 bytes at offset $offset" }
        System.arraycopy(bytes, 0, buffer, offset, 60)
        buffer.put32(offset + 38, target.low.toInt())
        return 60
    }
}
