package dev.kmap.script

import org.junit.jupiter.api.io.TempDir
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Standard .main.kts scripts: args, @file:DependsOn from Maven Central, @file:Import, kmap's API, the cache. */
class MainKtsTest {
    @TempDir lateinit var dir: File

    /** @file:DependsOn resolves into the build's local repository (see the pom), not the user's. */
    private fun <T> withLocalRepository(block: () -> T): T {
        val repo = System.getProperty("kmap.test.m2") ?: return block()
        val home = File(dir, "home/.m2").apply { mkdirs() }
        File(home, "settings.xml").writeText("<settings><localRepository>$repo</localRepository></settings>\n")
        val saved = System.getProperty("user.home")
        System.setProperty("user.home", home.parent)
        try { return block() } finally { System.setProperty("user.home", saved) }
    }

    private fun captured(block: () -> Unit): String {
        val saved = System.out
        val buffer = ByteArrayOutputStream()
        System.setOut(PrintStream(buffer, true, Charsets.UTF_8))
        try { block() } finally { System.setOut(saved) }
        return buffer.toString(Charsets.UTF_8)
    }

    @Test
    fun `DependsOn, Import, args and kmap's DSL, and the second run comes from the cache`() {
        File(dir, "helpers.main.kts").writeText("fun shout(s: String) = s.uppercase() + \"!\"\n")
        val main = File(dir, "check.main.kts").apply {
            writeText(
                """
                @file:DependsOn("org.json:json:20240303")
                @file:Import("helpers.main.kts")

                import dev.kmap.dsl.scan
                import org.json.JSONObject

                val plan = scan { targets(args[0]); ports("22,80"); connect() }
                println(shout("hello " + args.joinToString(" ")))
                println(JSONObject(mapOf("ports" to plan.ports.tcp.toString())).toString())
                """.trimIndent() + "\n",
            )
        }
        val cache = File(dir, "cache")
        val first = ScriptHost(cacheDir = cache)
        val out1 = captured { withLocalRepository { first.runFile(main, listOf("127.0.0.1", "x")) } }
        assertEquals("HELLO 127.0.0.1 X!\n{\"ports\":\"22,80\"}\n", out1)
        assertEquals(1, first.compiles)
        val second = ScriptHost(cacheDir = cache)
        val out2 = captured { withLocalRepository { second.runFile(main, listOf("10.0.0.1")) } }
        assertEquals("HELLO 10.0.0.1!\n{\"ports\":\"22,80\"}\n", out2)
        assertEquals(0, second.compiles)
        assertEquals(1, second.cacheHits)
        // changing an imported file invalidates the cached script
        File(dir, "helpers.main.kts").writeText("fun shout(s: String) = s.lowercase() + \"?\"\n")
        val third = ScriptHost(cacheDir = cache)
        val out3 = captured { withLocalRepository { third.runFile(main, listOf("A")) } }
        assertEquals("hello a?\n{\"ports\":\"22,80\"}\n", out3)
        assertEquals(1, third.compiles)
    }

    @Test
    fun `a main kts that throws names its line`() {
        val f = File(dir, "fail.main.kts").apply { writeText("val a = 1\nrequire(args.isNotEmpty()) { \"give an argument\" }\n") }
        val e = assertFailsWith<ScriptFailedException> { ScriptHost(cacheDir = null).runFile(f, emptyList()) }
        assertEquals("${f.path}:2: IllegalArgumentException: give an argument", e.message)
    }

    @Test
    fun `an unresolvable DependsOn is one line naming the script, the annotation and the reason`() {
        val f = File(dir, "missing.main.kts").apply { writeText("@file:DependsOn(\"org.nonexistent.kmap:nope:1.0\")\nprintln(1)\n") }
        val e = withLocalRepository { assertFailsWith<ScriptCompileException> { ScriptHost(cacheDir = null).runFile(f, emptyList()) } }
        assertEquals(1, e.errors.size, e.errors.joinToString("\n"))
        val line = e.errors.single()
        assertTrue(line.startsWith("${f.path}:1:1: File 'org.nonexistent.kmap:nope:1.0' not found: "), line)
        assertTrue(line.length < 500, "${line.length} characters: $line")
    }
}
