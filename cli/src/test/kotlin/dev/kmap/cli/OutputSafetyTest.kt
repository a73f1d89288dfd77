package dev.kmap.cli

import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Outputs are checked and opened before the first packet; nothing already written is lost. */
class OutputSafetyTest {
    @TempDir
    lateinit var dir: File

    private fun path(name: String) = File(dir, name).path

    private fun refused(argv: List<String>, message: String, hint: String) {
        val r = test(argv)
        assertEquals(listOf("kmap: $message", "hint: $hint"), r.errLines)
        assertEquals(Cli.EXIT_USAGE, r.code)
        assertEquals("", r.out, "nothing scanned")
    }

    @Test
    fun `an existing report survives a later output that cannot be opened`() {
        val keep = File(dir, "keep.txt").apply { writeText("yesterday\n") }
        val r = test(listOf("-sT", "-Pn", "-n", "-p", "22", "-oN", keep.path, "-oX", "/proc/x", "127.0.0.1"))
        assertEquals(Cli.EXIT_USAGE, r.code)
        assertEquals(2, r.errLines.size)
        assertTrue(r.errLines[0].startsWith("kmap: cannot write -oX output \"/proc/x\": "), r.err)
        assertEquals("hint: ${Hints.OUTPUT}", r.errLines[1])
        assertEquals("", r.out)
        assertEquals("yesterday\n", keep.readText())
    }

    @Test
    fun `--save-baseline into a missing directory fails before the scan`() {
        refused(listOf("-sT", "-Pn", "-n", "-p", "22", "--save-baseline", "/nonexistent/x", "127.0.0.1"),
            "cannot write --save-baseline output \"/nonexistent/x\": directory /nonexistent does not exist", Hints.OUTPUT)
    }

    @Test
    fun `one file for two outputs is refused by canonical path, for the baseline and -iL too`() {
        val f = path("f.json")
        refused(listOf("-sT", "-p", "22", "--save-baseline", f, "-oJ", f, "127.0.0.1"), "-oJ and --save-baseline would both write \"$f\"", "give each output its own file")
        val link = File(dir, "link.xml")
        Files.createSymbolicLink(link.toPath(), File(f).toPath())
        refused(listOf("-sT", "-p", "22", "-oX", link.path, "-oJ", f, "127.0.0.1"), "-oX and -oJ would both write \"${link.path}\"", "give each output its own file")
        val targets = File(dir, "targets.txt").apply { writeText("127.0.0.1\n") }
        refused(listOf("-sT", "-p", "22", "-iL", targets.path, "-oG", targets.path), "-oG would overwrite the -iL file \"${targets.path}\"", "write the output to another file")
        assertEquals("127.0.0.1\n", targets.readText())
        assertFalse(File(f).exists())
    }

    @Test
    fun `two formats on standard output are refused with one line`() {
        refused(listOf("-sT", "-p", "22", "-oX", "-", "-oJ", "-", "127.0.0.1"), "-oX and -oJ would both write to standard output",
            "choose one format for standard output (-) and write the others to files")
    }

    @Test
    fun `a baseline can be refreshed in place`() = LoopbackPorts().use { p ->
        val base = path("base.json")
        assertEquals(Cli.EXIT_OK, test("-sT -Pn -n -p ${p.open} --save-baseline $base 127.0.0.1").code)
        val policy = File(dir, "policy.txt").apply { writeText("no-change-from-baseline\n") }
        val r = test("-sT -Pn -n -p ${p.open} --expect ${policy.path} --baseline $base --save-baseline $base 127.0.0.1")
        assertEquals(Cli.EXIT_OK, r.code, r.err)
        assertEquals(listOf("kmap: baseline written to $base"), r.errLines)
    }
}
