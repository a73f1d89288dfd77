package dev.kmap.dsl

import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

public class TargetSpecTest {
    private fun ip(s: String) = IpAddress.parse(s)
    private fun parse(s: String) = TargetSpec.parse(s)

    private fun fails(text: String): String =
        assertFailsWith<InvalidSpecException>("expected ${text.take(40)} to be refused") { TargetSpec.parse(text) }.message!!

    @Test
    public fun `addresses`() {
        assertEquals(TargetSpec.Address(ip("10.0.0.1")), parse("10.0.0.1"))
        assertEquals(TargetSpec.Address(ip("10.0.0.1")), parse("  10.0.0.1\t"))
        assertEquals(TargetSpec.Address(ip("fd00::1")), parse("FD00:0::1"))
        assertEquals(TargetSpec.Address(ip("::ffff:102:304")), parse("::ffff:1.2.3.4"))
    }

    @Test
    public fun `CIDR blocks are normalised to the network address`() {
        assertEquals(TargetSpec.Cidr(ip("10.0.0.0"), 24), parse("10.0.0.0/24"))
        assertEquals(TargetSpec.Cidr(ip("10.0.0.0"), 24), parse("10.0.0.5/24"))
        assertEquals(TargetSpec.Cidr(ip("0.0.0.0"), 0), parse("1.2.3.4/0"))
        assertEquals(TargetSpec.Cidr(ip("10.0.0.5"), 32), parse("10.0.0.5/32"))
        assertEquals(TargetSpec.Cidr(ip("fd00::"), 120), parse("fd00::1/120"))
        assertEquals(TargetSpec.Cidr(ip("fd00:1::"), 32), parse("fd00:1:2::/32"))
        assertEquals(TargetSpec.Cidr(ip("fd00::1"), 128), parse("fd00::1/128"))
        assertEquals(TargetSpec.Cidr(ip("::"), 0), parse("fd00::1/0"))
        assertEquals(TargetSpec.Cidr(ip("fd00::"), 64), parse("fd00::/64"), "wide IPv6 blocks parse (usable as exclusions)")
    }

    @Test
    public fun `CIDR errors`() {
        assertEquals("invalid CIDR prefix /33 in \"10.0.0.0/33\" (IPv4 prefixes are 0..32)", fails("10.0.0.0/33"))
        assertEquals("invalid CIDR prefix /129 in \"fd00::/129\" (IPv6 prefixes are 0..128)", fails("fd00::/129"))
        assertEquals(
            "invalid CIDR prefix \"/x\" in \"10.0.0.0/x\" (expected a number, IPv4 prefixes are 0..32)",
            fails("10.0.0.0/x"),
        )
        assertTrue(fails("scanme.org/24").startsWith("host name with a prefix \"scanme.org/24\" is not supported"))
        assertEquals("invalid octet 256 in \"10.0.0.256/24\" (octets are 0..255)", fails("10.0.0.256/24"))
        for (bad in listOf("10.0.0.0/", "/24", "10.0.0.0/24/8", "10.0.0-3.0/24", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0/24", "fd00::/99999999999")) {
            fails(bad)
        }
    }

    @Test
    public fun `octet ranges are stored canonically`() {
        assertEquals(TargetSpec.OctetRange("10.0.0-3.1-254"), parse("10.0.0-3.1-254"))
        assertEquals(TargetSpec.OctetRange("192.168.1.1,3,5-7"), parse("192.168.1.1,3,5-7"))
        assertEquals(TargetSpec.OctetRange("10.0.0.0-5"), parse("10.0.0.-5"))
        assertEquals(TargetSpec.OctetRange("10.0.0.250-255"), parse("10.0.0.250-"))
        assertEquals(TargetSpec.OctetRange("10.*.0.1"), parse("10.*.0.1"))
        assertEquals(TargetSpec.OctetRange("10.0.0.*"), parse("10.0.0.0-255"))
        assertEquals(TargetSpec.OctetRange("10.0.0.*"), parse("10.0.0.-"))
        assertEquals(TargetSpec.OctetRange("10.0.0.1-3,7"), parse("10.0.0.7,1-3,2"))
        assertEquals(TargetSpec.OctetRange("10.0.0.1-3"), parse("10.0.0.1,2,3"))
        assertEquals(TargetSpec.OctetRange("*.*.*.*"), parse("*.*.*.*"))
    }

    @Test
    public fun `octet range errors`() {
        assertEquals(
            "invalid octet range 5-3 in \"10.0.0.5-3\" (expected low-high with low <= high)",
            fails("10.0.0.5-3"),
        )
        assertEquals("invalid octet 300 in \"10.0.0.1-300\" (octets are 0..255)", fails("10.0.0.1-300"))
        for (bad in listOf("10.0.0.1,,2", "10.0.0.1,", "10.0..1-2", "10.0.0-3", "10.0.0.0.1-2", "10.0.0.1-2-3", "10.0.0.**", "*", "1-2", "10.0.0.1--2", ",", "-", "10.0.0.*1")) {
            fails(bad)
        }
    }

    @Test
    public fun `address ranges`() {
        assertEquals(TargetSpec.AddressRange(ip("10.0.0.5"), ip("10.0.0.20")), parse("10.0.0.5-10.0.0.20"))
        assertEquals(TargetSpec.AddressRange(ip("10.0.0.5"), ip("10.0.0.5")), parse("10.0.0.5-10.0.0.5"))
        assertEquals(TargetSpec.AddressRange(ip("fd00::1"), ip("fd00::ff")), parse("fd00::1-fd00::ff"))
        assertEquals(
            "invalid address range \"10.0.0.20-10.0.0.5\" (the first address 10.0.0.20 is after the last 10.0.0.5)",
            fails("10.0.0.20-10.0.0.5"),
        )
        assertEquals(
            "invalid address range \"10.0.0.1-fd00::1\" (both ends must be of the same address family)",
            fails("10.0.0.1-fd00::1"),
        )
        assertEquals("invalid octet 256 in \"10.0.0.1-10.0.0.256\" (octets are 0..255)", fails("10.0.0.1-10.0.0.256"))
        for (bad in listOf("fd00::ff-fd00::1", "fd00::1-", "-fd00::1", "fd00::1-ff", "fd00::1-fd00::2-fd00::3")) fails(bad)
    }

    @Test
    public fun `host names`() {
        for (name in listOf("localhost", "scanme.nmap.org", "my_host.local", "a", "xn--bcher-kva.example", "example.com.", "1host.example", "a-b.c-d")) {
            assertEquals(TargetSpec.HostName(name), parse(name), name)
        }
        assertEquals(TargetSpec.HostName("x".repeat(63) + ".example"), parse("x".repeat(63) + ".example"))
    }

    @Test
    public fun `host name and general errors`() {
        assertEquals("empty target (expected an address, CIDR, range or host name)", fails(""))
        assertEquals("empty target (expected an address, CIDR, range or host name)", fails(" \t "))
        assertEquals("invalid octet 999 in \"10.0.0.999\" (octets are 0..255)", fails("10.0.0.999"))
        assertEquals(
            "invalid host name \"-bad.example\" (a label starts or ends with '-'; expected labels of 1-63 letters, " +
                "digits, '-' or '_' separated by dots, at most 253 characters)",
            fails("-bad.example"),
        )
        assertEquals(
            "invalid target \"10.0.0.1 10.0.0.2\" (contains whitespace; expected one address, CIDR, range or host name)",
            fails("10.0.0.1 10.0.0.2"),
        )
        for (bad in listOf(
            "a..b", "bad-.example", "x".repeat(64) + ".example", List(60) { "abcd" }.joinToString("."), "héllo.example",
            "a\u0000b", "*.example.com", "host:name:x", "10.0.0", "1.2.3.4.5", "42", "..", ".",
        )) {
            fails(bad)
        }
        val msg = fails("a\u0000b\nc")
        assertFalse('\n' in msg || '\u0000' in msg, msg)
        assertTrue("\\u0000" in msg && "\\n" in msg, msg)
    }

    @Test
    public fun `constructors check their invariants`() {
        assertFailsWith<InvalidSpecException> { TargetSpec.Cidr(ip("10.0.0.5"), 24) }
        assertFailsWith<InvalidSpecException> { TargetSpec.Cidr(ip("10.0.0.0"), 33) }
        assertFailsWith<InvalidSpecException> { TargetSpec.Cidr(ip("fd00::"), -1) }
        assertFailsWith<InvalidSpecException> { TargetSpec.AddressRange(ip("10.0.0.2"), ip("10.0.0.1")) }
        assertFailsWith<InvalidSpecException> { TargetSpec.AddressRange(ip("10.0.0.1"), ip("fd00::1")) }
        assertFailsWith<InvalidSpecException> { TargetSpec.OctetRange("nope") }
        assertFailsWith<InvalidSpecException> { TargetSpec.HostName("bad name") }
    }
}
