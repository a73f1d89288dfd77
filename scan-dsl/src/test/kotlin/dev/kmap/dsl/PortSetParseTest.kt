package dev.kmap.dsl

import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlin.test.fail

@Suppress("ktlint:standard:property-naming") // T, U, TU: the protocol sets, short like nmap's T: and U:
internal class PortSetParseTest {
    private val T = setOf(Protocol.TCP)
    private val U = setOf(Protocol.UDP)
    private val TU = setOf(Protocol.TCP, Protocol.UDP)

    // nmap 7.93's selections for the same specs, from `nmap -sT -sU -p SPEC -oX -` (no targets)
    private val httpStarTcp = "80,280,443,591,593,4180,8000,8008,8080,8443,8990-8991"
    private val httpStarUdp = "80,280,443,591,593,4180,8008,8080,8990-8991"
    private val listed1to100Tcp = "1-35,37-100"
    private val listed1to100Udp = "1-3,5,7,9,11,13,17-25,27,29,31,33,35,37-39,41-59,61-86,88-99"

    private data class Case(val spec: String, val default: Set<Protocol>, val expected: PortSet)

    private val cases = listOf(
        // plain ports and ranges, per default protocol set
        Case("22", T, tcp("22")),
        Case("22", U, udp("22")),
        Case("22", TU, both("22")),
        Case("1-1024", T, tcp("1-1024")),
        Case("1-1024", TU, both("1-1024")),
        Case("-", T, tcp("1-65535")),
        Case("-", TU, both("1-65535")),
        Case("-100", T, tcp("1-100")),
        Case("60000-", U, udp("60000-65535")),
        Case("0", T, tcp("0")),
        Case("0-5", T, tcp("0-5")),
        Case("0-", T, tcp("0-65535")),
        Case("65535", T, tcp("65535")),
        Case("00080", T, tcp("80")),
        Case("80-80", T, tcp("80")),
        Case("22,80,81,82", T, tcp("22,80-82")),
        Case("80-90,85-100,101", T, tcp("80-101")),
        Case(" 22 , 80-82 ,\t443 ", T, tcp("22,80-82,443")),
        // protocol prefixes: apply to everything after them, until the next prefix
        Case("U:53,111,T:21-25,80", T, PortSet(tcp = ports("21-25,80"), udp = ports("53,111"))),
        Case("U:53,111,T:21-25,80", U, PortSet(tcp = ports("21-25,80"), udp = ports("53,111"))),
        Case("U:53,111,T:21-25,80", TU, PortSet(tcp = ports("21-25,80"), udp = ports("53,111"))),
        Case("22,U:53", T, PortSet(tcp = ports("22"), udp = ports("53"))),
        Case("22,U:53", U, udp("22,53")),
        Case("22,U:53", TU, PortSet(tcp = ports("22"), udp = ports("22,53"))),
        Case("T:80,U:53", U, PortSet(tcp = ports("80"), udp = ports("53"))),
        Case("T: 80 , U: 53-54", T, PortSet(tcp = ports("80"), udp = ports("53-54"))),
        Case("T:-", U, tcp("1-65535")),
        Case("U:-100", T, udp("1-100")),
        Case("T:U:53", T, udp("53")),
        Case("T:80,T:443", U, tcp("80,443")),
        // service names and wildcards, per protocol in effect
        Case("http", T, tcp("80,8008")),
        Case("http", U, udp("80")),
        Case("http", TU, PortSet(tcp = ports("80,8008"), udp = ports("80"))),
        Case("HTTP", T, tcp("80,8008")),
        Case("ssh,https", T, tcp("22,443")),
        Case("ssh,https", TU, both("22,443")),
        Case("domain,U:snmp,ntp", T, PortSet(tcp = ports("53"), udp = ports("123,161"))),
        Case("redis", TU, tcp("6379")),
        Case("x11:1", T, tcp("6001")),
        Case("http*", T, tcp(httpStarTcp)),
        Case("http*", U, udp(httpStarUdp)),
        Case("Http*", TU, PortSet(tcp = ports(httpStarTcp), udp = ports(httpStarUdp))),
        Case("?sh", TU, both("22")),
        Case("ht*p", T, tcp("80,593,4827,8008,8990-8991")),
        Case("ht*p", U, udp("80,593,8990-8991")),
        Case("T:http*,U:domain", T, PortSet(tcp = ports(httpStarTcp), udp = ports("53"))),
        Case("80,http", T, tcp("80,8008")),
        // [range]: only the ports of the range that the services table lists
        Case("[1-100]", T, tcp(listed1to100Tcp)),
        Case("[1-100]", U, udp(listed1to100Udp)),
        Case("[1-100]", TU, PortSet(tcp = ports(listed1to100Tcp), udp = ports(listed1to100Udp))),
        Case("[0-5]", TU, PortSet(tcp = ports("1-5"), udp = ports("1-3,5"))),
        Case("[ -100 ]", T, tcp(listed1to100Tcp)),
        Case("U:[1-10]", T, udp("1-3,5,7,9")),
        Case("[10]", TU, tcp("10")),
        Case("[http]", T, tcp("80,8008")),
        Case("[1-100],22-23,U:[-10]", T, PortSet(tcp = ports(listed1to100Tcp), udp = ports("1-3,5,7,9"))),
        // no default protocol: unprefixed items are checked but select nothing
        Case("80,http", emptySet(), PortSet()),
        Case("80,T:443", emptySet(), tcp("443")),
    )

    @Test
    fun `specs parse like nmap`() {
        for ((spec, default, expected) in cases) {
            assertEquals(expected, PortSet.parse(spec, default), "parse(\"$spec\", $default)")
        }
    }

    @Test
    fun `the default protocol set is TCP`() {
        assertEquals(tcp("22"), PortSet.parse("22"))
    }

    @Test
    fun `open brackets cover the whole services table`() {
        val all = PortSet.parse("[-]", TU)
        assertEquals(ServiceNames.ports(Protocol.TCP, "*"), all.tcp)
        assertEquals(ServiceNames.ports(Protocol.UDP, "*"), all.udp)
        assertEquals(8366, all.tcp.size) // nmap 7.93 lists 8366 tcp and 19022 udp ports
        assertEquals(19022, all.udp.size)
        assertEquals(all.tcp - ports("1-65535"), PortList.EMPTY)
    }

    private val errors = listOf(
        "70000" to "port 70000 in \"70000\" is out of range (ports are 0..65535)",
        "22,65536-" to "port 65536 in \"22,65536-\" is out of range (ports are 0..65535)",
        "99999999999999999999" to
            "port 99999999999999999999 in \"99999999999999999999\" is out of range (ports are 0..65535)",
        "90-80" to "invalid port range \"90-80\" (expected first <= last)",
        "22, 90-80" to "invalid port range \"90-80\" in \"22, 90-80\" (expected first <= last)",
        "-0" to "invalid port range \"-0\" (expected first <= last)",
        "1-2-3" to "invalid port range \"1-2-3\" (expected first-last, -last, first- or -)",
        "80--90" to "invalid port range \"80--90\" (expected first-last, -last, first- or -)",
        "htp" to "unknown service name \"htp\" in \"htp\" (expected a port number, range or service name)",
        "22,htp" to "unknown service name \"htp\" in \"22,htp\" (expected a port number, range or service name)",
        "U:redis" to "unknown service name \"redis\" for udp in \"U:redis\" (expected a port number, range or service name)",
        "80x" to "unknown service name \"80x\" in \"80x\" (expected a port number, range or service name)",
        "+80" to "unknown service name \"+80\" in \"+80\" (expected a port number, range or service name)",
        "zz*" to "no service name matches \"zz*\" in \"zz*\" " +
            "(expected a port number, range or service name pattern such as http*)",
        "" to "empty port specification (expected e.g. 22,80-90,U:53)",
        "  \t " to "empty port specification (expected e.g. 22,80-90,U:53)",
        "80,,81" to "empty item in port specification \"80,,81\" (expected a port, range or service name between commas)",
        "80," to "empty item in port specification \"80,\" (expected a port, range or service name between commas)",
        ",80" to "empty item in port specification \",80\" (expected a port, range or service name between commas)",
        "S:1" to "SCTP is not supported: \"S:\" in \"S:1\" (expected T: or U:)",
        "T:80,S:1-10" to "SCTP is not supported: \"S:\" in \"T:80,S:1-10\" (expected T: or U:)",
        "t:80" to "unknown protocol prefix \"t:\" in \"t:80\" (expected T: or U:)",
        "X:80" to "unknown protocol prefix \"X:\" in \"X:80\" (expected T: or U:)",
        "T:" to "missing ports after \"T:\" in \"T:\" (expected e.g. T:22,80)",
        "22,U: ,80" to "missing ports after \"U:\" in \"22,U: ,80\" (expected e.g. U:22,80)",
        "[1-10" to "unterminated \"[\" in \"[1-10\" (expected e.g. [1-1024])",
        "22, [1-10 " to "unterminated \"[\" in \"[1-10\" in \"22, [1-10 \" (expected e.g. [1-1024])",
        "[" to "unterminated \"[\" in \"[\" (expected e.g. [1-1024])",
        "[]" to "empty brackets in \"[]\" (expected e.g. [1-1024] or [-])",
        "[90-80]" to "invalid port range \"90-80\" in \"[90-80]\" (expected first <= last)",
        "a\nb" to "unknown service name \"a\\nb\" in \"a\\nb\" (expected a port number, range or service name)",
        "\"x\u0001\u2028y" to
            "unknown service name \"\\\"x\\u0001\\u2028y\" in \"\\\"x\\u0001\\u2028y\" (expected a port number, range or service name)",
        "${"9".repeat(120)}" to
            "port ${"9".repeat(100)}... in \"${"9".repeat(100)}...\" is out of range (ports are 0..65535)",
    )

    @Test
    fun `bad specs raise InvalidSpecException with an exact one-line message`() {
        for ((spec, message) in errors) {
            val e = assertFailsWith<InvalidSpecException>("parse(\"$spec\")") { PortSet.parse(spec, TU) }
            assertEquals(message, e.message, "parse(\"$spec\")")
        }
    }

    @Test
    fun `round trip through toString`() {
        val set = PortSet(tcp = ports("0,22,80-82,65535"), udp = ports("53,161-162"))
        assertEquals(set, PortSet.parse("T:${set.tcp},U:${set.udp}", emptySet()))
    }

    @Test
    fun `set algebra`() {
        val a = PortSet.parse("22,80-90,U:53", T)
        val b = PortSet.parse("85-100,U:53,161", T)
        assertEquals(PortSet(tcp = ports("22,80-100"), udp = ports("53,161")), a + b)
        assertEquals(tcp("22,80-84"), a - b)
        assertEquals(ports("53"), a[Protocol.UDP])
        assertEquals(ports("22,80-90"), a[Protocol.TCP])
        assertTrue((a - a).isEmpty())
        assertTrue(PortSet().isEmpty())
        assertTrue(!a.isEmpty())
    }

    private val alphabet = "0123456789-,:TUS[]*?httpsx "

    private fun randomSpec(random: Random): String {
        val length = random.nextInt(0, 24)
        return when (random.nextInt(6)) {
            0 -> String(CharArray(length) { random.nextInt(0, 128).toChar() })
            1, 2 -> String(CharArray(length) { alphabet[random.nextInt(alphabet.length)] })
            3 -> String(CharArray(length) { random.nextInt(0, 0x10000).toChar() }) // any UTF-16 unit, lone surrogates too
            4 -> buildString { // valid items glued with random separators
                repeat(random.nextInt(1, 5)) {
                    if (it > 0) append(listOf(",", ", ", ",,", "-", ":", " ").random(random))
                    append(listOf("22", "T:", "U:", "S:", "-", "1-1024", "[1-100]", "http*", "ssh", "65535", "65536", "0", "[", "]", "?sh", "\n").random(random))
                }
            }
            else -> buildString { // numbers of every length around the limits
                repeat(random.nextInt(1, 4)) {
                    if (it > 0) append(',')
                    append(random.nextLong(0, Long.MAX_VALUE).toString().take(random.nextInt(1, 20)))
                    if (random.nextBoolean()) append('-').append(random.nextInt(0, 70000))
                }
            }
        }
    }

    @Test
    fun `random input raises only InvalidSpecException with a one-line message`() {
        val random = Random(1_000_003)
        var failures = 0
        repeat(20_000) {
            val spec = randomSpec(random)
            val default = listOf(T, U, TU, emptySet()).random(random)
            try {
                val result = PortSet.parse(spec, default)
                // a successful parse re-parses from its own nmap syntax
                val again = listOfNotNull(
                    result.tcp.takeIf { !it.isEmpty() }?.let { "T:$it" },
                    result.udp.takeIf { !it.isEmpty() }?.let { "U:$it" },
                ).joinToString(",")
                if (again.isNotEmpty()) assertEquals(result, PortSet.parse(again, emptySet()), "re-parse of \"$spec\"")
            } catch (e: InvalidSpecException) {
                failures++
                val message = e.message ?: fail("no message for \"$spec\"")
                assertTrue(message.isNotBlank(), "blank message for \"$spec\"")
                assertTrue(message.none { it == '\n' || it == '\r' || it == '\u0085' || it == '\u2028' || it == '\u2029' },
                    "multi-line message for \"$spec\": $message")
                assertTrue(message.none { it.isISOControl() }, "control character in message for \"$spec\": $message")
            } catch (e: Throwable) {
                fail("parse(\"$spec\") raised ${e::class.qualifiedName}: ${e.message}", e)
            }
        }
        assertTrue(failures in 1 until 20_000, "the generator should produce both good and bad specs ($failures failures)")
    }
}
