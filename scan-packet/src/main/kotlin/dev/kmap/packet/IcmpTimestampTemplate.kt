package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.Checksums
import dev.kmap.packet.internal.IpFrame
import dev.kmap.packet.internal.put16

/**
 * ICMP timestamp requests (type 13, IPv4 only; nmap's `-PP`), originate timestamp 0. Per probe:
 * destination, identifier, sequence number, IPv4 id, optionally the destination MAC.
 *
 * ```kotlin
 * val ts = IcmpTimestampTemplate(IpAddress.parse("10.208.0.1"), eth)
 * val len = ts.write(buf, 0, dst, identifier = 7, sequence = 1)
 * ```
 *
 * @property source our IPv4 address.
 * @param ttl IPv4 TTL.
 */
public class IcmpTimestampTemplate(
    public val source: IpAddress,
    override val ethernet: EthernetAddresses?,
    ttl: Int = 64,
) : ProbeTemplate() {
    private val frame: IpFrame

    init {
        require(!source.isV6) { "ICMP timestamp requests exist for IPv4 only: $source" }
        val icmp = ByteArray(20)
        icmp[0] = 13
        frame = IpFrame(source, ethernet, 1, icmp, ttl)
    }

    private val constSum = frame.l4ConstSum

    override val length: Int get() = frame.length
    override val isV6: Boolean get() = false

    /**
     * Writes one timestamp request into [buffer] at [offset] and returns its length.
     *
     * ```kotlin
     * ts.write(buf, 0, dst, identifier = 0x1234, sequence = 1)
     * ```
     */
    public fun write(
        buffer: ByteArray,
        offset: Int,
        destination: IpAddress,
        identifier: Int,
        sequence: Int,
        ipId: Int = 0,
        destinationMac: MacAddress? = null,
    ): Int {
        frame.begin(buffer, offset, destination, ipId, destinationMac)
        val p = offset + frame.l4Offset
        val id = identifier and 0xffff
        val seq = sequence and 0xffff
        buffer.put16(p + 4, id)
        buffer.put16(p + 6, seq)
        buffer.put16(p + 2, Checksums.finish(constSum + id + seq))
        return frame.length
    }
}
