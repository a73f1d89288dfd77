package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.Checksums
import dev.kmap.packet.internal.IpFrame
import dev.kmap.packet.internal.put16
import dev.kmap.packet.internal.put48
import dev.kmap.packet.internal.put64

/**
 * NDP neighbour solicitations (ICMPv6 135, hop limit 255) from [source] and [sourceMac] to the
 * target's solicited-node multicast group, with the source link-layer address option. Per probe:
 * the target address.
 *
 * ```kotlin
 * val ns = NeighbourSolicitationTemplate(route.interfaceMac!!, route.source)
 * val len = ns.write(buf, 0, IpAddress.parse("fd10:208::11"))
 * ```
 *
 * @property sourceMac our interface's MAC address.
 * @property source our IPv6 address on that interface.
 */
public class NeighbourSolicitationTemplate(
    public val sourceMac: MacAddress,
    public val source: IpAddress,
) : ProbeTemplate() {
    private val frame: IpFrame

    init {
        require(source.isV6) { "neighbour solicitations are IPv6; IPv4 uses ArpRequestTemplate: $source" }
        val icmp = ByteArray(32)
        icmp[0] = 135.toByte()
        icmp[24] = 1 // source link-layer address option, 1 unit of 8 bytes
        icmp[25] = 1
        icmp.put48(26, sourceMac.bits)
        frame = IpFrame(source, EthernetAddresses(sourceMac, MacAddress.ZERO), 58, icmp, 255)
    }

    private val constSum = frame.l4ConstSum + frame.pseudoConstSum

    override val length: Int get() = frame.length
    override val ethernet: EthernetAddresses get() = frame.ethernet!!
    override val isV6: Boolean get() = true

    /**
     * Writes a solicitation for [target] into [buffer] at [offset] and returns its length.
     *
     * ```kotlin
     * ns.write(buf, 0, nextHop)
     * ```
     */
    public fun write(buffer: ByteArray, offset: Int, target: IpAddress): Int {
        require(target.isV6) { "neighbour solicitation target must be IPv6: $target" }
        // solicited-node group ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX
        val low24 = target.low and 0xff_ffff
        val group = SOLICITED_NODE_BASE + low24
        frame.begin(buffer, offset, group, 0, MacAddress(0x3333_ff00_0000L or low24))
        val p = offset + frame.l4Offset
        buffer.put64(p + 8, target.high)
        buffer.put64(p + 16, target.low)
        val sum = constSum + Checksums.words(group) + Checksums.words(target)
        buffer.put16(p + 2, Checksums.finish(sum))
        return frame.length
    }

    private companion object {
        val SOLICITED_NODE_BASE: IpAddress = IpAddress.parse("ff02::1:ff00:0")
    }
}
