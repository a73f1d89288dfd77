package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.Checksums
import dev.kmap.packet.internal.IpFrame
import dev.kmap.packet.internal.put16
import dev.kmap.packet.internal.put32

/**
 * TCP probes with fixed [flags] (SYN, FIN, NULL, Xmas, ACK, Window, Maimon: see [TcpFlags]) from
 * [source], IPv4 or IPv6 after the source's family. Per probe: destination, ports, sequence and
 * acknowledgment numbers, IPv4 id, optionally the destination MAC.
 *
 * ```kotlin
 * val syn = TcpProbeTemplate(IpAddress.parse("10.208.0.1"), eth, TcpFlags.SYN_SCAN)
 * val len = syn.write(buf, 0, IpAddress.parse("10.208.0.11"), 40000, 80, sequence = key.tcpSequence(src, dst, 40000, 80))
 * ```
 *
 * @property source our address (the route's source).
 * @property flags the TCP flags of every probe.
 * @property window the advertised window (nmap uses 1024).
 * @param options TCP options, a multiple of 4 bytes up to 40 (default for SYN: MSS 1460, like nmap; none otherwise).
 * @param ttl IPv4 TTL or IPv6 hop limit.
 */
public class TcpProbeTemplate(
    public val source: IpAddress,
    override val ethernet: EthernetAddresses?,
    public val flags: Int,
    public val window: Int = 1024,
    options: ByteArray = if (flags and TcpFlags.SYN != 0) MSS_1460.copyOf() else ByteArray(0),
    ttl: Int = 64,
) : ProbeTemplate() {
    private val frame: IpFrame

    init {
        require(flags in 0..255) { "TCP flags must fit 8 bits: $flags" }
        require(window in 0..65535) { "window must be 0..65535: $window" }
        require(options.size % 4 == 0 && options.size <= 40) { "TCP options must be a multiple of 4 bytes, at most 40: ${options.size}" }
        val tcp = ByteArray(20 + options.size)
        tcp[12] = (((20 + options.size) / 4) shl 4).toByte()
        tcp[13] = flags.toByte()
        tcp.put16(14, window)
        System.arraycopy(options, 0, tcp, 20, options.size)
        frame = IpFrame(source, ethernet, 6, tcp, ttl)
    }

    private val constSum = frame.l4ConstSum + frame.pseudoConstSum

    override val length: Int get() = frame.length
    override val isV6: Boolean get() = frame.isV6

    /**
     * Writes one probe into [buffer] at [offset] and returns its length ([length]).
     * [acknowledgment] matters only with [TcpFlags.ACK] (it must then carry the validation hash:
     * a RST to an ACK takes its sequence number from it). [ipId] is ignored for IPv6.
     * [destinationMac] replaces [EthernetAddresses.destination] for this frame.
     *
     * ```kotlin
     * syn.write(buf, 0, dst, 40000, 443, sequence = 0x12345678)
     * ```
     */
    public fun write(
        buffer: ByteArray,
        offset: Int,
        destination: IpAddress,
        sourcePort: Int,
        destinationPort: Int,
        sequence: Int,
        acknowledgment: Int = 0,
        ipId: Int = 0,
        destinationMac: MacAddress? = null,
    ): Int {
        frame.begin(buffer, offset, destination, ipId, destinationMac)
        val p = offset + frame.l4Offset
        val sp = sourcePort and 0xffff
        val dp = destinationPort and 0xffff
        buffer.put16(p, sp)
        buffer.put16(p + 2, dp)
        buffer.put32(p + 4, sequence)
        buffer.put32(p + 8, acknowledgment)
        val sum = constSum + Checksums.words(destination) + sp + dp + Checksums.words(sequence) + Checksums.words(acknowledgment)
        buffer.put16(p + 16, Checksums.finish(sum))
        return frame.length
    }

    private companion object {
        /** Maximum segment size 1460. */
        val MSS_1460 = byteArrayOf(2, 4, 0x05, 0xb4.toByte())
    }
}
