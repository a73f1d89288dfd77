package dev.kmap.cli

import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** `--expect`, `--baseline` and `--save-baseline` against loopback listeners. */
class ExpectTest {
    @TempDir
    lateinit var dir: File

    private fun file(name: String, text: String) = File(dir, name).also { it.writeText(text) }

    @Test
    fun `violations are printed one per line and exit 3, kept policies exit 0`() {
        LoopbackPorts().use { p ->
            val policy = file("policy.txt", "# loopback policy\nopen ${p.open}\nopen ${p.closed}\nnothing-else-open\n")
            val junit = File(dir, "r.junit.xml")
            val r = test("-sT -Pn -n -p ${p.open},${p.closed} --expect ${policy.path} --junit ${junit.path} 127.0.0.1")
            assertEquals(Cli.EXIT_VIOLATED, r.code, r.err)
            assertEquals(
                listOf(
                    "kmap: violated: 127.0.0.1 port ${p.closed}/tcp: expected open (open ${p.closed}/tcp), found closed",
                    "kmap: 1 expectation violated",
                ),
                r.errLines,
            )
            val xml = junit.readText()
            assertTrue("<testsuite name=\"kmap expectations\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\"" in xml, xml)
            val kept = file("kept.txt", "open ${p.open}\nclosed ${p.closed}\nnothing-else-open\n")
            val ok = test("-sT -Pn -n -p ${p.open},${p.closed} --expect ${kept.path} 127.0.0.1")
            assertEquals(Cli.EXIT_OK, ok.code, ok.err)
            assertEquals(emptyList(), ok.errLines)
        }
    }

    @Test
    fun `a saved baseline is compared with no-change-from-baseline`() {
        val a = LoopbackPorts()
        LoopbackPorts().use { b ->
            val baseline = File(dir, "baseline.json")
            val saved = test("-sT -Pn -n -p ${a.open},${b.open} --save-baseline ${baseline.path} 127.0.0.1")
            assertEquals(Cli.EXIT_OK, saved.code, saved.err)
            assertEquals(listOf("kmap: baseline written to ${baseline.path}"), saved.errLines)
            val policy = file("policy.txt", "no-change-from-baseline\n")
            assertEquals(Cli.EXIT_OK, test("-sT -Pn -n -p ${a.open},${b.open} --expect ${policy.path} --baseline ${baseline.path} 127.0.0.1").code)
            a.close()
            val r = test("-sT -Pn -n -p ${a.open},${b.open} --expect ${policy.path} --baseline ${baseline.path} 127.0.0.1")
            assertEquals(Cli.EXIT_VIOLATED, r.code)
            assertEquals("kmap: violated: 127.0.0.1 port ${a.open}/tcp: expected open (as in the baseline) (no-change-from-baseline), found closed", r.errLines.first())
        }
    }

    @Test
    fun `bad expectation and baseline files are usage errors naming the file and line`() {
        val bad = file("bad.txt", "open 22\nclosed 99999\n")
        val r = test("-sT -p 22 --expect ${bad.path} 127.0.0.1")
        assertEquals(Cli.EXIT_USAGE, r.code)
        assertEquals(
            listOf("kmap: ${bad.path}:2: invalid port \"99999\" in \"99999\" (expected a number 0..65535)", "hint: ${Hints.EXPECT}"),
            r.errLines,
        )
        val missing = test("-sT -p 22 --expect ${dir.path}/nope.txt 127.0.0.1")
        assertEquals(Cli.EXIT_USAGE, missing.code)
        assertTrue(missing.errLines.first().startsWith("kmap: "), missing.err)
        val nochange = file("nochange.txt", "no-change-from-baseline\n")
        val noBaseline = test("-sT -p 22 --expect ${nochange.path} 127.0.0.1")
        assertEquals(Cli.EXIT_USAGE, noBaseline.code)
        assertEquals(
            listOf("kmap: the expectations in ${nochange.path} include no-change-from-baseline, but no --baseline FILE was given", "hint: ${Hints.BASELINE}"),
            noBaseline.errLines,
        )
        val badBaseline = file("b.json", "{\"formatVersion\":7}")
        val rb = test("-sT -p 22 --expect ${nochange.path} --baseline ${badBaseline.path} 127.0.0.1")
        assertEquals(Cli.EXIT_USAGE, rb.code)
        assertEquals("kmap: ${badBaseline.path}: baseline format version 7 is not supported (expected 1)", rb.errLines.first())
    }
}
