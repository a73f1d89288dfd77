package dev.kmap.dsl

import org.junit.jupiter.api.Test
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/** Property test: the target parsers raise only [InvalidSpecException], always with a one-line message. */
public class TargetParsersFuzzTest {
    private val alphabet = "0123456789./-:,*abcdef%[] "
    private val seeds = listOf(
        "10.0.0.1", "10.0.0.0/24", "fd00::1", "fd00::/120", "10.0.0-3.1-254", "192.168.1.1,3,5-7", "10.0.0.-5",
        "10.0.0.5-10.0.0.20", "fd00::1-fd00::ff", "::ffff:1.2.3.4", "scanme.nmap.org", "localhost", "2/4", "1/1",
        "fe80::1%eth0", "*.*.*.*", "1:2:3:4:5:6:7:8",
    )

    private fun randomAscii(r: Random) = String(CharArray(r.nextInt(0, 40)) { r.nextInt(0, 128).toChar() })
    private fun randomAlphabet(r: Random) = String(CharArray(r.nextInt(0, 40)) { alphabet[r.nextInt(alphabet.length)] })
    private fun randomUnicode(r: Random) = String(CharArray(r.nextInt(0, 30)) { r.nextInt(0, 0x10000).toChar() })

    private fun mutated(r: Random): String {
        val sb = StringBuilder(seeds[r.nextInt(seeds.size)])
        repeat(r.nextInt(1, 4)) {
            val pos = r.nextInt(0, sb.length + 1)
            val c = if (r.nextBoolean()) alphabet[r.nextInt(alphabet.length)] else r.nextInt(0, 0x3000).toChar()
            when (r.nextInt(3)) {
                0 -> sb.insert(pos, c)
                1 -> if (pos < sb.length) sb.deleteCharAt(pos)
                else -> if (pos < sb.length) sb.setCharAt(pos, c)
            }
        }
        return sb.toString()
    }

    private fun check(input: String, what: String, parse: (String) -> Any) {
        try {
            parse(input)
        } catch (e: InvalidSpecException) {
            val m = e.message
            val problem = when {
                m == null || m.isBlank() -> "no message"
                m.any { it == '\n' || it == '\r' || it == '\u0085' || it == '\u2028' || it == '\u2029' } -> "multi-line message"
                m.length >= 600 -> "message of ${m.length} chars"
                else -> null
            }
            if (problem != null) fail("$what(${escape(input)}): $problem: ${escape(m ?: "")}")
        } catch (e: Throwable) {
            fail("$what(${escape(input)}) threw ${e::class.qualifiedName}: ${e.message}", e)
        }
    }

    private fun escape(s: String) = s.map { if (it.code in 32..126) it.toString() else "\\u%04x".format(it.code) }.joinToString("")

    @Test
    public fun `random strings raise only InvalidSpecException with one-line messages`() {
        val r = Random(20_240_917)
        var parsed = 0
        val generators = listOf<(Random) -> String>(::randomAscii, ::randomAlphabet, ::randomUnicode, ::mutated)
        repeat(16_000) { i ->
            val input = generators[i % generators.size](r)
            check(input, "TargetSpec.parse") { text ->
                val spec = TargetSpec.parse(text)
                parsed++
                // What parses must be stable: a spec's canonical parts parse back to themselves.
                when (spec) {
                    is TargetSpec.Address -> assertEquals(spec, TargetSpec.parse(spec.address.toString()))
                    is TargetSpec.Cidr -> assertEquals(spec, TargetSpec.parse("${spec.base}/${spec.prefix}"))
                    is TargetSpec.OctetRange -> assertEquals(spec, TargetSpec.parse(spec.text))
                    is TargetSpec.AddressRange -> assertEquals(spec, TargetSpec.parse("${spec.first}-${spec.last}"))
                    is TargetSpec.HostName -> assertEquals(spec, TargetSpec.parse(spec.name))
                    is TargetSpec.File -> fail("parse never yields a file")
                }
                spec
            }
            check(input, "IpAddress.parse") { text ->
                val a = IpAddress.parse(text)
                assertEquals(a, IpAddress.parse(a.toString()))
                a
            }
            check(input, "Shard.parse") { Shard.parse(it) }
        }
        assertTrue(parsed > 100, "the generators should also produce valid targets ($parsed did)")
    }
}
