package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.Checksums
import dev.kmap.packet.internal.IpFrame
import dev.kmap.packet.internal.put16

/**
 * UDP probes carrying a fixed [payload] (e.g. a DNS query for port 53; empty by default) from
 * [source]. Per probe: destination, ports, IPv4 id, optionally the destination MAC.
 *
 * ```kotlin
 * val udp = UdpProbeTemplate(src, eth, payload = "hello".toByteArray())
 * val len = udp.write(buf, 0, dst, sourcePort = key.udpSourcePort(src, dst, 53, 40000, 1000), destinationPort = 53)
 * ```
 *
 * @property source our address.
 * @param payload the datagram's payload (copied).
 * @param ttl IPv4 TTL or IPv6 hop limit.
 */
public class UdpProbeTemplate(
    public val source: IpAddress,
    override val ethernet: EthernetAddresses?,
    payload: ByteArray = ByteArray(0),
    ttl: Int = 64,
) : ProbeTemplate() {
    private val frame: IpFrame

    init {
        require(payload.size <= 1400) { "UDP probe payload must fit one packet (<= 1400 bytes): ${payload.size}" }
        val udp = ByteArray(8 + payload.size)
        udp.put16(4, udp.size)
        System.arraycopy(payload, 0, udp, 8, payload.size)
        frame = IpFrame(source, ethernet, 17, udp, ttl)
    }

    private val constSum = frame.l4ConstSum + frame.pseudoConstSum

    override val length: Int get() = frame.length
    override val isV6: Boolean get() = frame.isV6

    /**
     * Writes one probe into [buffer] at [offset] and returns its length.
     *
     * ```kotlin
     * udp.write(buf, 0, dst, 40000, 161)
     * ```
     */
    public fun write(
        buffer: ByteArray,
        offset: Int,
        destination: IpAddress,
        sourcePort: Int,
        destinationPort: Int,
        ipId: Int = 0,
        destinationMac: MacAddress? = null,
    ): Int {
        frame.begin(buffer, offset, destination, ipId, destinationMac)
        val p = offset + frame.l4Offset
        val sp = sourcePort and 0xffff
        val dp = destinationPort and 0xffff
        buffer.put16(p, sp)
        buffer.put16(p + 2, dp)
        val c = Checksums.finish(constSum + Checksums.words(destination) + sp + dp)
        buffer.put16(p + 6, if (c == 0) 0xffff else c) // 0 means "no checksum" in UDP
        return frame.length
    }
}
