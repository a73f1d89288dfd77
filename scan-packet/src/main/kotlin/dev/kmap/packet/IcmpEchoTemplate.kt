package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.Checksums
import dev.kmap.packet.internal.IpFrame
import dev.kmap.packet.internal.put16

/**
 * ICMP echo requests (type 8) or, from an IPv6 [source], ICMPv6 echo requests (type 128) with a
 * fixed [payload]. Per probe: destination, identifier, sequence number, IPv4 id, optionally the
 * destination MAC.
 *
 * ```kotlin
 * val ping = IcmpEchoTemplate(src, eth)
 * val v = key.icmpIdentity(src, dst)
 * val len = ping.write(buf, 0, dst, identifier = v ushr 16, sequence = v and 0xffff)
 * ```
 *
 * @property source our address.
 * @param payload the echo payload (copied).
 * @param ttl IPv4 TTL or IPv6 hop limit.
 */
public class IcmpEchoTemplate(
    public val source: IpAddress,
    override val ethernet: EthernetAddresses?,
    payload: ByteArray = ByteArray(0),
    ttl: Int = 64,
) : ProbeTemplate() {
    private val frame: IpFrame

    init {
        require(payload.size <= 1400) { "echo payload must fit one packet (<= 1400 bytes): ${payload.size}" }
        val icmp = ByteArray(8 + payload.size)
        icmp[0] = (if (source.isV6) 128 else 8).toByte()
        System.arraycopy(payload, 0, icmp, 8, payload.size)
        frame = IpFrame(source, ethernet, if (source.isV6) 58 else 1, icmp, ttl)
    }

    // ICMPv6 sums a pseudo-header, ICMPv4 does not.
    private val constSum = frame.l4ConstSum + if (frame.isV6) frame.pseudoConstSum else 0

    override val length: Int get() = frame.length
    override val isV6: Boolean get() = frame.isV6

    /**
     * Writes one echo request into [buffer] at [offset] and returns its length.
     *
     * ```kotlin
     * ping.write(buf, 0, dst, identifier = 0x1234, sequence = 1)
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
        val sum = constSum + id + seq + if (frame.isV6) Checksums.words(destination) else 0
        buffer.put16(p + 2, Checksums.finish(sum))
        return frame.length
    }
}
