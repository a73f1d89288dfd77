package dev.kmap.script

import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

/** Selecting scripts by name, glob, category, list and file; what the built-ins declare. */
class ScriptLibraryTest {
    @TempDir lateinit var dir: File

    private val library = ScriptLibrary.builtIn()

    private fun ids(selector: String) = library.select(selector).map { it.id }

    @Test
    fun `names, globs, categories, all and comma lists`() {
        assertEquals(listOf("banner"), ids("banner"))
        assertEquals(listOf("http-title", "http-headers", "http-methods", "http-robots"), ids("http-*"))
        val all = "banner, http-title, http-headers, http-methods, http-robots, ssl-cert, ssl-enum-ciphers, tls-alpn, ssh-hostkey, ssh-auth-methods, ftp-anon, smtp-commands, redis-info, mysql-info, pgsql-info, memcached-info, dns-nsid, dns-recursion, ntp-info, snmp-sysdescr, vnc-info".split(", ")
        assertEquals(all, ids("all"))
        assertEquals(all - setOf("banner", "http-headers", "ssl-enum-ciphers", "ssh-auth-methods", "redis-info", "pgsql-info", "memcached-info"), ids("default"))
        assertEquals(all - setOf("ssl-enum-ciphers", "ssh-auth-methods"), ids("safe"))
        assertEquals(listOf("banner", "http-title"), ids("http-title, banner,http-title"))
        assertEquals(listOf("http-title"), ids("http-t?tle"))
    }

    @Test
    fun `a script file by path`() {
        val f = File(dir, "mine.scan.kts").apply { writeText("hostRule { true }\naction { \"mine\" }\n") }
        assertEquals(listOf("banner", "mine"), library.select("banner,${f.path}").map { it.id })
        val e = assertFailsWith<ScriptSelectionException> { library.select("${dir.path}/missing.scan.kts") }
        assertEquals("cannot read script \"${dir.path}/missing.scan.kts\": no such file", e.message)
    }

    @Test
    fun `an unknown selector is named in a one-line error`() {
        val e = assertFailsWith<ScriptSelectionException> { library.select("banner,htp-title") }
        assertEquals(
            "unknown script \"htp-title\" (expected a script name, glob, category or .scan.kts file; built-in: banner, http-title, http-headers, http-methods, http-robots, ssl-cert, ssl-enum-ciphers, tls-alpn, ssh-hostkey, ssh-auth-methods, ftp-anon, smtp-commands, redis-info, mysql-info, pgsql-info, memcached-info, dns-nsid, dns-recursion, ntp-info, snmp-sysdescr, vnc-info)",
            e.message,
        )
        assertFailsWith<ScriptSelectionException> { library.select("nope-*") }
    }

    @Test
    fun `every built-in script compiles, and declares the categories the library reads from its text`() {
        val host = ScriptHost(cacheDir = File(dir, "cache"))
        for (entry in library.scripts) {
            val loaded = host.load(entry.source)
            assertEquals(entry.categories, loaded.categories, entry.id)
            assert(loaded.description.isNotBlank()) { "${entry.id} has no description" }
            assert(loaded.arguments.isNotEmpty()) { "${entry.id} documents no arguments" }
        }
        assertEquals(setOf("discovery", "safe"), library.scripts.single { it.id == "banner" }.categories)
    }

    @Test
    fun `script-args parsing`() {
        assertEquals(mapOf("a" to "1", "http-title.path" to "/x,y", "flag" to "", "b" to "two words"), ScriptArgs.parse("a=1,http-title.path=\"/x,y\",flag, b = two words").values)
        assertEquals("unterminated quote in script argument \"a\" (expected name=\"value\")", assertFailsWith<IllegalArgumentException> { ScriptArgs.parse("a=\"x") }.message)
        assertEquals("empty script argument name at \"=1\" (expected name=value,...)", assertFailsWith<IllegalArgumentException> { ScriptArgs.parse("=1") }.message)
    }
}
