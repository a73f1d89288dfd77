package dev.kmap.cli

import dev.kmap.store.ScanStore
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Which stores the CLI opens ahead, while it parses the arguments: only SQLite files that exist, so a bad command line leaves no trace. */
class StoreAccessTest {
    @TempDir lateinit var dir: File

    @Test
    fun `an existing SQLite store named by --store is opened ahead and handed to the scan`() {
        val file = File(dir, "kmap.db")
        ScanStore.open("jdbc:sqlite:${file.path}").close()
        val url = "jdbc:sqlite:${file.path}"
        assertTrue(StoreAccess.openAhead(listOf("-sT", "--store", url, "127.0.0.1")))
        StoreAccess.openForWriting(url).use { assertEquals(url, it.url) }
        assertTrue(StoreAccess.openAhead(listOf("-sT", "--store=$url", "127.0.0.1")))
        StoreAccess.openForWriting(url).close()
    }

    @Test
    fun `a missing SQLite file and PostgreSQL are not opened ahead`() {
        val missing = File(dir, "missing.db")
        assertFalse(StoreAccess.openAhead(listOf("--store", "jdbc:sqlite:${missing.path}", "-p", "not-a-port", "127.0.0.1")))
        assertFalse(missing.exists())
        // no connection is tried before the command line is known to be good (port 1: nothing listens)
        assertFalse(StoreAccess.openAhead(listOf("--store", "jdbc:postgresql://127.0.0.1:1/kmap", "-p", "not-a-port", "127.0.0.1")))
    }
}
