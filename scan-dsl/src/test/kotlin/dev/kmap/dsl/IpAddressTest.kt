package dev.kmap.dsl

import org.junit.jupiter.api.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

public class IpAddressTest {
    private fun ip(s: String) = IpAddress.parse(s)

    private fun fails(text: String): String =
        assertFailsWith<InvalidSpecException>("expected $text to be refused") { IpAddress.parse(text) }.message!!

    @Test
    public fun `parses IPv4 dotted quads`() {
        val a = ip("10.0.0.1")
        assertFalse(a.isV6)
        assertEquals(0L, a.high)
        assertEquals(0x0A000001L, a.low)
        assertEquals("10.0.0.1", a.toString())
        assertEquals("255.255.255.255", ip("255.255.255.255").toString())
        assertEquals("0.0.0.0", ip("0.0.0.0").toString())
        assertEquals("1.2.3.4", ip("01.002.3.4").toString(), "leading zeros are read as decimal")
    }

    @Test
    public fun `refuses bad IPv4`() {
        assertEquals("invalid octet 256 in \"10.0.0.256\" (octets are 0..255)", fails("10.0.0.256"))
        assertEquals(
            "invalid IPv4 address \"1.2.3\" (expected four decimal octets 0..255 such as 192.168.0.1)",
            fails("1.2.3"),
        )
        for (bad in listOf("1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", " 1.2.3.4", "+1.2.3.4", "1.2.3.-4", "1.2.3.4x", "", "0x1.2.3.4", "99999999999999999999.1.1.1")) {
            fails(bad)
        }
    }

    @Test
    public fun `parses IPv6 forms and prints RFC 5952`() {
        val cases = mapOf(
            "2001:0db8:0000:0000:0000:0000:0002:0001" to "2001:db8::2:1",
            "2001:db8:0:0:1:0:0:1" to "2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1" to "2001:db8:0:1:1:1:1:1",
            "2001:db8:0:0:1:0:0:0" to "2001:db8:0:0:1::",
            "FD00::1" to "fd00::1",
            "::" to "::",
            "::1" to "::1",
            "1::" to "1::",
            "::ffff:1.2.3.4" to "::ffff:102:304",
            "1:2:3:4:5:6:1.2.3.4" to "1:2:3:4:5:6:102:304",
            "1:0:0:0:0:0:0:0" to "1::",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" to "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "1:2:3:4:5:6:7::" to "1:2:3:4:5:6:7:0",
        )
        for ((text, canonical) in cases) {
            val a = ip(text)
            assertTrue(a.isV6, text)
            assertEquals(canonical, a.toString(), text)
            assertEquals(a, ip(canonical))
        }
        val a = ip("fd00::1:2")
        assertEquals(0xfd00L shl 48, a.high)
        assertEquals(0x0000_0000_0001_0002L, a.low)
    }

    @Test
    public fun `refuses bad IPv6`() {
        assertEquals(
            "IPv6 zone \"%eth0\" in \"fe80::1%eth0\" is not supported (expected an address without a %zone suffix)",
            fails("fe80::1%eth0"),
        )
        for (bad in listOf(
            "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::", "g::1", "::1.2.3", "1.2.3.4::",
            "1:2:3:4:5:6:7:1.2.3.4", ":1::", "1::2:", "[fd00::1]", "::1.2.3.256", "1:2:3:4:5:6:7:8::",
        )) {
            fails(bad)
        }
        assertEquals("invalid octet 256 in \"::1.2.3.256\" (octets are 0..255)", fails("::1.2.3.256"))
    }

    @Test
    public fun `value semantics and ordering`() {
        assertEquals(ip("FD00::1"), ip("fd00:0:0::1"))
        assertEquals(ip("FD00::1").hashCode(), ip("fd00:0:0::1").hashCode())
        assertNotEquals(ip("1.2.3.4"), ip("::102:304"))
        assertTrue(ip("255.255.255.255") < ip("::"), "IPv4 sorts before IPv6")
        assertTrue(ip("10.0.0.2") > ip("10.0.0.1"))
        assertTrue(ip("200.0.0.0") > ip("100.0.0.0"))
        assertTrue(ip("8000::") > ip("7fff::"), "high word compares unsigned")
        assertTrue(ip("::8000:0:0:0") > ip("::1"), "low word compares unsigned")
        val sorted = listOf("::1", "10.0.0.1", "fd00::", "1.1.1.1", "::").map(::ip).sorted().map { it.toString() }
        assertEquals(listOf("1.1.1.1", "10.0.0.1", "::", "::1", "fd00::"), sorted)
    }

    @Test
    public fun `plus moves within the family and refuses to wrap`() {
        assertEquals(ip("10.0.1.0"), ip("10.0.0.255") + 1)
        assertEquals(ip("10.0.0.0"), ip("10.0.1.0") + -256)
        assertEquals(ip("255.255.255.255"), ip("0.0.0.0") + 0xFFFF_FFFFL)
        assertFailsWith<InvalidSpecException> { ip("255.255.255.255") + 1 }
        assertFailsWith<InvalidSpecException> { ip("0.0.0.0") + -1 }
        assertFailsWith<InvalidSpecException> { ip("0.0.0.1") + Long.MAX_VALUE }
        assertFailsWith<InvalidSpecException> { ip("0.0.0.1") + Long.MIN_VALUE }
        assertEquals(ip("0:0:0:1::"), ip("::ffff:ffff:ffff:ffff") + 1)
        assertEquals(ip("::ffff:ffff:ffff:ffff"), ip("0:0:0:1::") + -1)
        assertEquals(ip("::1:7fff:ffff:ffff:fffe"), ip("::ffff:ffff:ffff:ffff") + Long.MAX_VALUE)
        assertFailsWith<InvalidSpecException> { ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") + 1 }
        assertFailsWith<InvalidSpecException> { ip("::") + -1 }
        val msg = assertFailsWith<InvalidSpecException> { ip("255.255.255.255") + 1 }.message!!
        assertEquals("address 255.255.255.255 + 1 is outside the IPv4 address space", msg)
    }

    @Test
    public fun `bytes round trip`() {
        assertContentEquals(byteArrayOf(10, 0, 0, 1), ip("10.0.0.1").toBytes())
        assertEquals(ip("10.0.0.1"), IpAddress.ofBytes(byteArrayOf(10, 0, 0, 1)))
        assertEquals(ip("255.255.255.255"), IpAddress.ofV4(-1))
        assertEquals(ip("10.0.0.1"), IpAddress.ofV4(0x0A000001))
        val v6 = ip("fd00:1:2:3:4:5:6:ff07")
        val bytes = v6.toBytes()
        assertEquals(16, bytes.size)
        assertEquals(0xfd.toByte(), bytes[0])
        assertEquals(0x07.toByte(), bytes[15])
        assertEquals(v6, IpAddress.ofBytes(bytes))
        assertFailsWith<InvalidSpecException> { IpAddress.ofBytes(ByteArray(5)) }
    }
}
