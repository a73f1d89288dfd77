package dev.kmap.cli

import com.github.ajalt.clikt.core.parse
import dev.kmap.dsl.DiscoveryProbeKind
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.OutputSpec
import dev.kmap.dsl.ScanType
import dev.kmap.engine.ConnectScanModule
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The CLI's options, -oA, NmapArgs' value options and --help derive from the registries. */
class RegistryCliTest {
    @TempDir
    lateinit var dir: File

    private val help by lazy { test("--help").out }

    /** `--help`'s option lines: the names before the two-space gap, and the text after. */
    private val options by lazy {
        help.lines().filter { it.startsWith("  -") }.associate { line ->
            line.trim().substringBefore("  ").split(", ").map { it.substringBefore('=').substringBefore(' ') }.toSet() to line.trim().substringAfter("  ").trim()
        }
    }

    @Test
    fun `every output format of the registry is an option with its description, and -oA writes the registry's three`() {
        for (f in OutputFormat.entries) {
            val entry = options.entries.firstOrNull { f.flag in it.key }
            assertTrue(entry != null, "--help has no ${f.flag}")
            assertEquals(f.flags.toSet(), entry.key, "${f.flag}'s names")
            assertTrue(entry.value.startsWith(f.description.take(30)), "${f.flag}'s help: ${entry.value}")
            assertTrue(f.flag in NmapArgs.valueOptions && f.aliases.all { it in NmapArgs.valueOptions })
        }
        val command = ScanCommand(listOf(ConnectScanModule))
        command.parse(listOf("-oA", File(dir, "b").path, "10.0.0.1"))
        assertEquals(OutputFormat.ALL.map { OutputSpec(it, File(dir, "b").path + "." + it.extension) }, command.plan!!.outputs)
    }

    @Test
    fun `every scan type and discovery probe of the registries is an option`() {
        for (t in ScanType.entries) assertTrue(options.keys.any { t.flag in it }, "--help has no ${t.flag}")
        for (k in DiscoveryProbeKind.entries) assertTrue(options.keys.any { k.flag in it }, "--help has no ${k.flag}")
        assertTrue("today only -sT is implemented" !in help)
    }

    @Test
    fun `every option that takes a value is a value option of NmapArgs, so a value starting with - is a value`() {
        for (flag in listOf("--expect", "--baseline", "--save-baseline", "-iL", "--script-timeout", "-oA")) assertTrue(flag in NmapArgs.valueOptions, flag)
        assertEquals(listOf("--expect", "-weird-name.txt", "-sT"), NmapArgs.normalize(listOf("--expect", "-weird-name.txt", "-sT")))
        assertEquals(null, NmapArgs.unknownOption(listOf("--expect", "-weird-name.txt", "--baseline", "-b.json", "--save-baseline", "-s.json"), setOf("--expect", "--baseline", "--save-baseline")))
        // the whole command: a policy file whose name starts with - (relative to the working directory)
        val policy = File("-weird-name.txt")
        LoopbackPorts().use { p ->
            try {
                policy.writeText("open ${p.closed}\n")
                val r = test(listOf("-sT", "-Pn", "-n", "-p", "${p.closed}", "--expect", "-weird-name.txt", "127.0.0.1"))
                assertEquals(Cli.EXIT_VIOLATED, r.code, r.err)
                assertEquals("kmap: violated: 127.0.0.1 port ${p.closed}/tcp: expected open (open ${p.closed}/tcp), found closed", r.errLines.first())
            } finally {
                policy.delete()
            }
        }
    }

    @Test
    fun `kmap run parses its options with the scan's conversions`() {
        val r = test(listOf("run", "--script-timeout", "5x", "a.scan.kts"))
        assertEquals(listOf("kmap: invalid time \"5x\" for --script-timeout", "hint: ${Hints.TIME}"), r.errLines)
        assertEquals(listOf("kmap: kmap run needs a script file", "hint: ${RunCommand.USAGE}"), test("run").errLines)
        assertEquals(listOf("kmap: kmap run: no such option --bogus", "hint: ${RunCommand.USAGE}"), test("run --bogus a.scan.kts").errLines)
    }
}
