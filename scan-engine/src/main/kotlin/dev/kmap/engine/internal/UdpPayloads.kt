package dev.kmap.engine.internal

import java.io.ByteArrayOutputStream

/**
 * The datagram a UDP scan sends to a port: a well-formed request of the protocol usually found
 * there, so that a listening service answers (an empty datagram is ignored by most of them), and
 * an empty payload for every other port. Written for kmap from the protocols' specifications.
 *
 * | port | protocol | request |
 * |---|---|---|
 * | 53 | DNS | standard query for the root's NS records (RFC 1035) |
 * | 123 | NTP | client request, version 4, mode 3 (RFC 5905) |
 * | 137 | NetBIOS name service | node status request for `*` (RFC 1002) |
 * | 161 | SNMP | v2c GetRequest for sysDescr.0, community `public` (RFC 3416) |
 * | 1900 | SSDP | `M-SEARCH * HTTP/1.1` for `ssdp:all` (UPnP device architecture) |
 *
 * ```kotlin
 * val payload = UdpPayloads.forPort(53) // 17-byte DNS query
 * ```
 */
internal object UdpPayloads {
    private val EMPTY = ByteArray(0)

    private val table: Map<Int, ByteArray> = mapOf(
        53 to dnsRootNs(),
        123 to ntpClient(),
        137 to netbiosNodeStatus(),
        161 to snmpGetSysDescr(),
        1900 to ssdpSearch(),
    )

    /** The ports with a protocol payload. */
    val ports: Set<Int> get() = table.keys

    /** The payload for [port] (a copy); empty for ports without one. */
    fun forPort(port: Int): ByteArray = (table[port] ?: EMPTY).copyOf()

    /** DNS: id 0x6b6d, no flags (a plain non-recursive query), one question: `.` IN NS. */
    private fun dnsRootNs(): ByteArray = bytes(
        0x6b, 0x6d, // id
        0x00, 0x00, // flags: query, opcode 0, no recursion desired
        0x00, 0x01, // QDCOUNT
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // AN, NS, AR counts
        0x00, // root name
        0x00, 0x02, // QTYPE NS
        0x00, 0x01, // QCLASS IN
    )

    /** NTP: 48 bytes, LI 0, version 4, mode 3 (client); all timestamps zero. */
    private fun ntpClient(): ByteArray = ByteArray(48).also { it[0] = 0x23 }

    /** NetBIOS name service: NBSTAT query for the wildcard name `*` (padded with NULs, first-level encoded). */
    private fun netbiosNodeStatus(): ByteArray {
        val out = ByteArrayOutputStream()
        out.write(bytes(0x6b, 0x6d, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00))
        val name = ByteArray(16).also { it[0] = '*'.code.toByte() }
        out.write(32)
        for (b in name) {
            val v = b.toInt() and 0xff
            out.write('A'.code + (v shr 4))
            out.write('A'.code + (v and 0x0f))
        }
        out.write(0)
        out.write(bytes(0x00, 0x21, 0x00, 0x01)) // NBSTAT, IN
        return out.toByteArray()
    }

    /** SNMP v2c GetRequest, community `public`, one varbind: sysDescr.0 (1.3.6.1.2.1.1.1.0) = NULL. */
    private fun snmpGetSysDescr(): ByteArray {
        val oid = bytes(0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00) // 1.3 as 43, then 6.1.2.1.1.1.0
        val varbind = tlv(0x30, tlv(0x06, oid) + tlv(0x05, EMPTY))
        val pdu = tlv(
            0xa0,
            tlv(0x02, bytes(0x6b, 0x6d, 0x61, 0x70)) + // request-id
                tlv(0x02, bytes(0)) + tlv(0x02, bytes(0)) + // error-status, error-index
                tlv(0x30, varbind),
        )
        return tlv(0x30, tlv(0x02, bytes(1)) + tlv(0x04, "public".toByteArray(Charsets.US_ASCII)) + pdu)
    }

    private fun ssdpSearch(): ByteArray = (
        "M-SEARCH * HTTP/1.1\r\n" +
            "HOST: 239.255.255.250:1900\r\n" +
            "MAN: \"ssdp:discover\"\r\n" +
            "MX: 1\r\n" +
            "ST: ssdp:all\r\n" +
            "\r\n"
        ).toByteArray(Charsets.US_ASCII)

    /** BER type-length-value with a definite length (short or long form). */
    private fun tlv(type: Int, value: ByteArray): ByteArray {
        val n = value.size
        val length = when {
            n < 0x80 -> bytes(n)
            n < 0x100 -> bytes(0x81, n)
            else -> bytes(0x82, n shr 8, n and 0xff)
        }
        return bytes(type) + length + value
    }

    private fun bytes(vararg v: Int): ByteArray = ByteArray(v.size) { v[it].toByte() }
}
