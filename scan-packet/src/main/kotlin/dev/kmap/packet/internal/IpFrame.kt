package dev.kmap.packet.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.EthernetAddresses
import dev.kmap.packet.MacAddress

/**
 * The constant bytes of one probe frame (optional Ethernet header, IPv4 or IPv6 header, transport
 * bytes with the per-probe fields zeroed) and the sums of their constant 16-bit words, so that a
 * probe costs one array copy, a few stores, and checksums finished from those sums.
 */
internal class IpFrame(
    val source: IpAddress,
    val ethernet: EthernetAddresses?,
    val protocol: Int,
    transport: ByteArray,
    ttl: Int,
) {
    val isV6: Boolean = source.isV6
    val ipOffset: Int = if (ethernet != null) 14 else 0
    val l4Offset: Int = ipOffset + if (isV6) 40 else 20
    val l4Length: Int = transport.size
    val length: Int = l4Offset + l4Length
    val bytes: ByteArray = ByteArray(length)

    /** IPv4 header words except identification, checksum and destination (which vary). */
    private val ipConstSum: Long

    /** Pseudo-header words except the destination: source, protocol, transport length. */
    val pseudoConstSum: Long = Checksums.words(source) + protocol + l4Length

    init {
        require(ttl in 0..255) { "TTL / hop limit must be 0..255: $ttl" }
        require(l4Length <= 65535 - 40) { "transport part too long: $l4Length bytes" }
        if (ethernet != null) {
            bytes.put48(0, ethernet.destination.bits)
            bytes.put48(6, ethernet.source.bits)
            bytes.put16(12, if (isV6) 0x86dd else 0x0800)
        }
        val ip = ipOffset
        if (isV6) {
            bytes.put32(ip, 0x6000_0000)
            bytes.put16(ip + 4, l4Length)
            bytes[ip + 6] = protocol.toByte()
            bytes[ip + 7] = ttl.toByte()
            bytes.putAddress(ip + 8, source)
            ipConstSum = 0
        } else {
            bytes[ip] = 0x45
            bytes.put16(ip + 2, 20 + l4Length)
            bytes[ip + 8] = ttl.toByte()
            bytes[ip + 9] = protocol.toByte()
            bytes.putAddress(ip + 12, source)
            ipConstSum = Checksums.sum(bytes, ip, 20)
        }
        System.arraycopy(transport, 0, bytes, l4Offset, l4Length)
    }

    /** Sum of the constant transport bytes (per-probe fields are zero in them). */
    val l4ConstSum: Long = Checksums.sum(bytes, l4Offset, l4Length)

    /**
     * Copies the frame to [buf] at [off] and writes the destination, IPv4 identification and
     * header checksum, and the destination MAC if given. The transport checksum is the caller's.
     */
    fun begin(buf: ByteArray, off: Int, destination: IpAddress, ipId: Int, destinationMac: MacAddress?) {
        require(destination.isV6 == isV6) { "destination $destination is not of the template's family (source $source)" }
        require(off >= 0 && buf.size - off >= length) { "buffer too small: needs $length bytes at offset $off" }
        System.arraycopy(bytes, 0, buf, off, length)
        if (destinationMac != null && ethernet != null) buf.put48(off, destinationMac.bits)
        val ip = off + ipOffset
        if (isV6) {
            buf.put64(ip + 24, destination.high)
            buf.put64(ip + 32, destination.low)
        } else {
            val id = ipId and 0xffff
            buf.put16(ip + 4, id)
            buf.put32(ip + 16, destination.low.toInt())
            buf.put16(ip + 10, Checksums.finish(ipConstSum + id + Checksums.words(destination.low.toInt())))
        }
    }
}
