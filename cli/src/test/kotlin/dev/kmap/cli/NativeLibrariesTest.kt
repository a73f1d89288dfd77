package dev.kmap.cli

import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** JNA's and SQLite's native libraries are placed once under kmap.native.dir and loaded from there. */
class NativeLibrariesTest {
    private val properties = listOf("kmap.native.dir", "jna.boot.library.path", "jna.nounpack", "org.sqlite.lib.path", "org.sqlite.lib.name", "org.sqlite.tmpdir")

    private fun <T> withProperties(block: () -> T): T {
        val saved = properties.associateWith { System.getProperty(it) }
        try {
            properties.forEach { System.clearProperty(it) }
            return block()
        } finally {
            saved.forEach { (k, v) -> if (v == null) System.clearProperty(k) else System.setProperty(k, v) }
        }
    }

    @Test
    fun `places both libraries once, in a folder per jar, and points the libraries at them`() {
        assumeTrue(System.getProperty("os.name") == "Linux" && System.getProperty("os.arch") in setOf("amd64", "aarch64"))
        val root = File(System.getProperty("java.io.tmpdir"), "kmap-native-test-${ProcessHandle.current().pid()}")
        try {
            withProperties {
                System.setProperty("kmap.native.dir", root.path)
                NativeLibraries.prepare()
                val jna = File(System.getProperty("jna.boot.library.path"), "libjnidispatch.so")
                val sqlite = File(System.getProperty("org.sqlite.lib.path"), System.getProperty("org.sqlite.lib.name"))
                assertTrue(jna.isFile && jna.length() > 10_000, "$jna")
                assertTrue(sqlite.isFile && sqlite.length() > 100_000, "$sqlite")
                assertEquals("true", System.getProperty("jna.nounpack"))
                assertTrue(jna.parentFile.name.startsWith("jna-") && jna.parentFile.parentFile == root)
                assertTrue(sqlite.parentFile.name.startsWith("sqlite-jdbc-"))
                // the SQLite loader's start-up listing of its temporary directory is of this one folder, not of /tmp
                assertEquals(sqlite.parentFile.path, System.getProperty("org.sqlite.tmpdir"))
                // a second start finds them: nothing is copied again, nothing else is left in the folders
                val stamp = jna.lastModified()
                Thread.sleep(20)
                NativeLibraries.prepare()
                assertEquals(stamp, jna.lastModified())
                assertEquals(listOf("libjnidispatch.so"), jna.parentFile.list()!!.toList())
                assertEquals(listOf("libsqlitejdbc.so"), sqlite.parentFile.list()!!.toList())
            }
        } finally {
            root.deleteRecursively()
        }
    }

    @Test
    fun `without kmap native dir, or with the user's own paths, nothing changes`(@TempDir dir: File) {
        withProperties {
            NativeLibraries.prepare()
            assertNull(System.getProperty("jna.boot.library.path"))
            assertNull(System.getProperty("org.sqlite.lib.path"))
            System.setProperty("kmap.native.dir", dir.path)
            System.setProperty("jna.boot.library.path", "/users/own")
            System.setProperty("org.sqlite.lib.path", "/users/own")
            NativeLibraries.prepare()
            assertEquals("/users/own", System.getProperty("jna.boot.library.path"))
            assertEquals("/users/own", System.getProperty("org.sqlite.lib.path"))
            assertNull(System.getProperty("jna.nounpack"))
            assertNull(System.getProperty("org.sqlite.tmpdir"))
            assertEquals(0, dir.list()!!.size)
        }
    }

    @Test
    fun `the user's own SQLite temporary directory is kept`(@TempDir dir: File) {
        assumeTrue(System.getProperty("os.name") == "Linux" && System.getProperty("os.arch") in setOf("amd64", "aarch64"))
        withProperties {
            System.setProperty("kmap.native.dir", dir.path)
            System.setProperty("org.sqlite.tmpdir", "/users/own")
            NativeLibraries.prepare()
            assertTrue(System.getProperty("org.sqlite.lib.path").startsWith(dir.path))
            assertEquals("/users/own", System.getProperty("org.sqlite.tmpdir"))
        }
    }
}
