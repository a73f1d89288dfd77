package dev.kmap.cli

import dev.kmap.store.ScanStore
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Which stores the CLI opens ahead, while it parses the arguments: only SQLite files that exist (PostgreSQL only connected to), so a bad command line leaves no trace. */
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
    fun `a missing SQLite file is not opened ahead, PostgreSQL only connected to`() {
        val missing = File(dir, "missing.db")
        assertFalse(StoreAccess.openAhead(listOf("--store", "jdbc:sqlite:${missing.path}", "-p", "not-a-port", "127.0.0.1")))
        assertFalse(missing.exists())
        // PostgreSQL is connected to ahead, its schema read and created only after parsing (scan-store's
        // PostgresFailureTest: no tables before open); a server that is not there (port 1) costs no wait
        val started = System.nanoTime()
        assertTrue(StoreAccess.openAhead(listOf("--store", "jdbc:postgresql://127.0.0.1:1/kmap", "-p", "not-a-port", "127.0.0.1")))
        assertTrue(System.nanoTime() - started < 2_000_000_000L)
    }
}
