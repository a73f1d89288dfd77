package dev.kmap.engine.internal

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Each protocol payload parses as its protocol; other ports get an empty datagram. */
class UdpPayloadsTest {
    private fun u16(b: ByteArray, i: Int) = ((b[i].toInt() and 0xff) shl 8) or (b[i + 1].toInt() and 0xff)

    @Test
    fun `DNS query for the root NS records`() {
        val p = UdpPayloads.forPort(53)
        assertEquals(17, p.size)
        assertEquals(0, u16(p, 2) and 0xf800, "QR=0 (query), opcode 0")
        assertEquals(listOf(1, 0, 0, 0), (0..3).map { u16(p, 4 + 2 * it) }, "QD, AN, NS, AR counts")
        assertEquals(0, p[12].toInt(), "root name")
        assertEquals(2, u16(p, 13), "QTYPE NS")
        assertEquals(1, u16(p, 15), "QCLASS IN")
    }

    @Test
    fun `NTP client request`() {
        val p = UdpPayloads.forPort(123)
        assertEquals(48, p.size)
        val first = p[0].toInt() and 0xff
        assertTrue(first == 0x23 || first == 0x1b, "LI 0, version 4 or 3, mode 3: ${"%02x".format(first)}")
        assertEquals(3, first and 7, "mode client")
    }

    /** A minimal BER reader: (tag, value) of the element at [at], and where the next one starts. */
    private fun ber(b: ByteArray, at: Int): Triple<Int, ByteArray, Int> {
        val tag = b[at].toInt() and 0xff
        var i = at + 1
        var len = b[i++].toInt() and 0xff
        if (len and 0x80 != 0) {
            val n = len and 0x7f
            len = 0
            repeat(n) { len = (len shl 8) or (b[i++].toInt() and 0xff) }
        }
        return Triple(tag, b.copyOfRange(i, i + len), i + len)
    }

    private fun children(b: ByteArray): List<Pair<Int, ByteArray>> {
        val out = ArrayList<Pair<Int, ByteArray>>()
        var i = 0
        while (i < b.size) { val (t, v, next) = ber(b, i); out += t to v; i = next }
        return out
    }

    @Test
    fun `SNMP GetRequest for sysDescr with community public`() {
        val p = UdpPayloads.forPort(161)
        assertEquals(0x30, p[0].toInt() and 0xff)
        val (tag, message, end) = ber(p, 0)
        assertEquals(0x30, tag)
        assertEquals(p.size, end, "one message, nothing after it")
        val parts = children(message)
        assertEquals(listOf(0x02, 0x04, 0xa0), parts.map { it.first }, "version, community, GetRequest-PDU")
        assertEquals(1, parts[0].second.single().toInt(), "v2c")
        assertEquals("public", String(parts[1].second, Charsets.US_ASCII))
        val pdu = children(parts[2].second)
        assertEquals(listOf(0x02, 0x02, 0x02, 0x30), pdu.map { it.first }, "request-id, error-status, error-index, varbinds")
        val varbind = children(children(pdu[3].second).single().second)
        assertEquals(listOf(0x06, 0x05), varbind.map { it.first }, "OID, NULL")
        assertEquals("1.3.6.1.2.1.1.1.0", oid(varbind[0].second))
    }

    private fun oid(b: ByteArray): String {
        val first = b[0].toInt() and 0xff
        val out = mutableListOf(first / 40L, first % 40L)
        var v = 0L
        for (i in 1 until b.size) {
            val x = b[i].toInt() and 0xff
            v = (v shl 7) or (x and 0x7f).toLong()
            if (x and 0x80 == 0) { out += v; v = 0 }
        }
        return out.joinToString(".")
    }

    @Test
    fun `NetBIOS node status request for the wildcard name`() {
        val p = UdpPayloads.forPort(137)
        assertEquals(50, p.size)
        assertEquals(0, u16(p, 2), "query, no flags")
        assertEquals(1, u16(p, 4), "QDCOUNT")
        assertEquals(32, p[12].toInt())
        val decoded = (0 until 16).map { (((p[13 + 2 * it] - 'A'.code.toByte()) shl 4) or (p[14 + 2 * it] - 'A'.code.toByte())).toChar() }
        assertEquals("*" + "\u0000".repeat(15), decoded.joinToString(""))
        assertEquals(0, p[45].toInt(), "end of name")
        assertEquals(0x21, u16(p, 46), "NBSTAT")
        assertEquals(1, u16(p, 48), "IN")
    }

    @Test
    fun `SSDP M-SEARCH`() {
        val text = String(UdpPayloads.forPort(1900), Charsets.US_ASCII)
        assertTrue(text.startsWith("M-SEARCH * HTTP/1.1\r\n"))
        assertTrue("MAN: \"ssdp:discover\"\r\n" in text)
        assertTrue(text.endsWith("\r\n\r\n"))
    }

    @Test
    fun `other ports get an empty payload and callers get copies`() {
        assertEquals(0, UdpPayloads.forPort(7).size)
        assertEquals(setOf(53, 123, 137, 161, 1900), UdpPayloads.ports)
        UdpPayloads.forPort(53)[0] = 0
        assertEquals(0x6b, UdpPayloads.forPort(53)[0].toInt())
    }
}
