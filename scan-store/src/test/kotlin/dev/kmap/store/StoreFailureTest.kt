package dev.kmap.store

import dev.kmap.dsl.Protocol
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.lab.PostgresExtension
import dev.kmap.lab.PostgresServer
import dev.kmap.store.internal.Migrations
import org.flywaydb.core.Flyway
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.extension.ExtendWith
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Path
import java.security.MessageDigest
import java.sql.DriverManager
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Bad stores: one line naming the store and the problem, and nothing stored is changed. */
class StoreFailureTest {
    @TempDir
    lateinit var dir: Path

    @BeforeEach
    fun shortBusyTimeout() { System.setProperty("kmap.store.busyTimeoutMillis", "300") }

    @AfterEach
    fun restore() { System.clearProperty("kmap.store.busyTimeoutMillis") }

    private fun sha(f: File) = MessageDigest.getInstance("SHA-256").digest(f.readBytes()).toList()

    private fun refused(url: String, vararg expected: String): StoreException {
        val e = assertThrows<StoreException> { ScanStore.open(url).use { it.history() } }
        val m = e.message!!
        assertFalse('\n' in m, m)
        expected.forEach { assertTrue(it in m, "\"$it\" not in: $m") }
        return e
    }

    private fun recordOne(url: String): Long = ScanStore.open(url).use { store ->
        val r = store.record(StoreFixtures.plan)
        StoreFixtures.events().forEach(r::event)
        r.close()
        r.scanId
    }

    @Test
    fun `a file that is not SQLite is refused untouched`() {
        val f = dir.resolve("scan.xml").toFile()
        f.writeText("<?xml version=\"1.0\"?><nmaprun/>\n")
        val before = sha(f)
        refused("jdbc:sqlite:$f", "is not a kmap database", "not an SQLite file")
        assertEquals(before, sha(f))
        assertEquals(listOf("scan.xml"), dir.toFile().list()!!.toList())
    }

    @Test
    fun `another program's SQLite database is refused untouched`() {
        val f = dir.resolve("other.db").toFile()
        DriverManager.getConnection("jdbc:sqlite:$f").use { c -> c.createStatement().use { it.execute("CREATE TABLE notes(x TEXT)"); it.execute("INSERT INTO notes VALUES ('keep')") } }
        val before = sha(f)
        refused("jdbc:sqlite:$f", "is not a kmap database", "other tables")
        assertEquals(before, sha(f))
    }

    @Test
    fun `a corrupt kmap database is refused with one line`() {
        val f = dir.resolve("kmap.db").toFile()
        recordOne("jdbc:sqlite:$f")
        // checkpoint the WAL into the file, then damage the pages after the header
        DriverManager.getConnection("jdbc:sqlite:$f").use { c -> c.createStatement().use { it.execute("PRAGMA wal_checkpoint(TRUNCATE)") } }
        val bytes = f.readBytes()
        Random(7).nextBytes(bytes, 100, minOf(bytes.size, 8192))
        f.writeBytes(bytes)
        val before = sha(f)
        val e = assertThrows<StoreException> { ScanStore.open("jdbc:sqlite:$f").use { s -> s.history().forEach { s.load(it.id).hosts().toList() } } }
        assertFalse('\n' in e.message!!)
        assertTrue("corrupt" in e.message!! || "not a kmap database" in e.message!!, e.message)
        assertEquals(before, sha(f))
    }

    @Test
    fun `a store from a newer kmap is refused`() {
        val f = dir.resolve("kmap.db").toFile()
        recordOne("jdbc:sqlite:$f")
        DriverManager.getConnection("jdbc:sqlite:$f").use { c ->
            c.createStatement().use {
                it.execute(
                    "INSERT INTO kmap_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) " +
                        "VALUES (99, '${Migrations.LATEST + 1}', 'future', 'SQL', 'V${Migrations.LATEST + 1}__future.sql', 0, 'kmap', 0, 1)",
                )
            }
        }
        refused("jdbc:sqlite:$f", "schema version ${Migrations.LATEST + 1}", "newer kmap", "knows up to ${Migrations.LATEST}")
    }

    @Test
    fun `a store of an older kmap is migrated and keeps its scans`() {
        val f = dir.resolve("kmap.db").toFile()
        // a version-1 store with one scan in it, as kmap 0.1 wrote it (its tables, no -sV columns)
        Flyway.configure().dataSource(Migrations.OneConnection(DriverManager.getConnection("jdbc:sqlite:$f")))
            .locations("classpath:dev/kmap/store/migration/sqlite").table(Migrations.HISTORY_TABLE).target("1").load().migrate()
        DriverManager.getConnection("jdbc:sqlite:$f").use { c ->
            c.createStatement().use {
                it.execute(
                    "INSERT INTO kmap_scan (group_id, shard_index, shard_count, plan_hash, status, started_at, finished_at, heartbeat_at, process, " +
                        "plan_json, command_line, kmap_version, options_json, targets, target_count, hosts_up, hosts_down, hosts_total, probes_sent, open_ports) " +
                        "VALUES ('g', 0, 1, 'h', 'completed', 1, 2, 2, 'p@x', '${StoreFixtures.plan.toJson().replace("'", "''")}', 'kmap -sT', '0.1.0', " +
                        "'{\"commandLine\":\"kmap -sT\",\"version\":\"0.1.0\"}', '10.252.0.11', 1, 1, 0, 1, 7, 0)",
                )
                // its ports are rows, closed ones too
                it.execute(
                    "INSERT INTO kmap_host (scan_id, host_no, finish_seq, address, status, reason, started_at, finished_at, timed_out, complete) " +
                        "VALUES (1, 0, 0, '10.252.0.11', 'up', 'user-set', 1, 2, 0, 1)",
                )
                it.execute("INSERT INTO kmap_port (scan_id, host_no, protocol, port, state, reason, service, rtt_micros) VALUES (1, 0, 'tcp', 22, 'open', 'syn-ack', 'ssh', 5)")
                it.execute("INSERT INTO kmap_port (scan_id, host_no, protocol, port, state, reason, service, rtt_micros) VALUES (1, 0, 'tcp', 23, 'closed', 'reset', 'telnet', NULL)")
            }
        }
        ScanStore.open("jdbc:sqlite:$f").use { store ->
            val old = store.history().single()
            assertEquals("10.252.0.11", old.targets)
            assertEquals(7, store.load(old.id).stats.probesSent)
            assertEquals(
                listOf(PortResult(22, Protocol.TCP, PortState.OPEN, "syn-ack", "ssh", 5), PortResult(23, Protocol.TCP, PortState.CLOSED, "reset", "telnet", null)),
                store.load(old.id).hosts().single().ports,
            )
            val id = store.record(StoreFixtures.plan).also { r -> StoreFixtures.events().forEach(r::event); r.close() }.scanId
            assertEquals(StoreFixtures.hosts, store.load(id).hosts().toList())
        }
    }

    /**
     * Records a scan, overwrites its rows of chunk [table] with [data], and checks that reading
     * its hosts fails with one line matching [message] (given the scan id) while the rest of the
     * store still reads.
     */
    private fun corruptChunkIsReported(table: String, data: String, message: (Long) -> Regex) {
        val f = dir.resolve("kmap.db").toFile()
        val id = recordOne("jdbc:sqlite:$f")
        DriverManager.getConnection("jdbc:sqlite:$f").use { c ->
            c.createStatement().use { assertTrue(it.executeUpdate("UPDATE $table SET data = X'$data' WHERE scan_id = $id") > 0) }
        }
        ScanStore.open("jdbc:sqlite:$f").use { store ->
            val e = assertThrows<StoreException> { store.load(id).hosts().toList() }
            assertTrue(message(id).matches(e.message!!), e.message)
            assertTrue(store.history().isNotEmpty(), "the rest of the store still reads")
        }
    }

    @Test
    fun `a corrupt port chunk is one StoreException naming it`() = corruptChunkIsReported("kmap_port_chunk", "01FF") { id ->
        Regex("port chunk \\d+ of host 0 of scan $id in store jdbc:sqlite:\\S+ is corrupt: [^\n]+")
    }

    @Test
    fun `a result the store cannot hold stops the recording with one line, not the writer or the scan`() {
        val f = dir.resolve("kmap.db").toFile()
        ScanStore.open("jdbc:sqlite:$f").use { store ->
            val errors = java.util.concurrent.CopyOnWriteArrayList<StoreException>()
            val recorder = store.record(StoreFixtures.plan, onError = { errors += it })
            val h = dev.kmap.engine.Host(dev.kmap.dsl.IpAddress.parse("10.252.0.11"))
            recorder.event(dev.kmap.engine.ScanEvent.Started(StoreFixtures.plan, 0, 1))
            // an RTT no chunk can hold (the engine never measures one): the writer meets it
            val bad = dev.kmap.engine.PortResult(9, dev.kmap.dsl.Protocol.TCP, dev.kmap.engine.PortState.CLOSED, "reset", null, Long.MAX_VALUE)
            recorder.event(dev.kmap.engine.ScanEvent.HostFinished(dev.kmap.engine.HostResult(h, dev.kmap.engine.HostStatus.UP, "syn-ack", listOf(bad))))
            repeat(70_000) { recorder.event(dev.kmap.engine.ScanEvent.PortFound(h, bad.copy(rttMicros = 1))) } // more than the queue holds: never blocks
            recorder.event(dev.kmap.engine.ScanEvent.Finished(StoreFixtures.stats))
            recorder.close()
            val e = recorder.failure!!
            assertEquals(listOf(e), errors.toList())
            assertTrue(e.message!!.startsWith("recording scan ${recorder.scanId} stopped: RTT"), e.message)
            assertFalse('\n' in e.message!!)
        }
    }

    @Test
    fun `a corrupt host chunk is one StoreException naming it`() = corruptChunkIsReported("kmap_host_chunk", "0101FF") { id ->
        Regex("host chunk \\d+ of scan $id in store jdbc:sqlite:\\S+ is corrupt: [^\n]+")
    }

    @Test
    fun `a locked store is refused before the scan starts`() {
        val f = dir.resolve("kmap.db").toFile()
        recordOne("jdbc:sqlite:$f")
        DriverManager.getConnection("jdbc:sqlite:$f").use { other ->
            other.autoCommit = false
            other.createStatement().use { it.execute("INSERT INTO kmap_network_timing VALUES ('x', 1, 1, 0, 1, 1, NULL)") } // holds the write lock
            val e = assertThrows<StoreException> { ScanStore.open("jdbc:sqlite:$f").use { it.record(StoreFixtures.plan) } }
            assertTrue("is locked by another process" in e.message!!, e.message)
            other.rollback()
        }
        assertEquals(1, ScanStore.open("jdbc:sqlite:$f").use { it.history().size })
    }

    @Test
    fun `unsupported URLs and missing directories are named`() {
        refused("jdbc:mysql://localhost/kmap?password=secret", "unsupported store URL", "password=***")
        refused("jdbc:sqlite:${dir.resolve("no/such/dir/kmap.db")}", "directory", "does not exist")
    }

    @Test
    fun `an existing store is required for reading`() {
        val e = assertThrows<StoreException> { ScanStore.openExisting("jdbc:sqlite:${dir.resolve("none.db")}") }
        assertTrue("does not exist" in e.message!!, e.message)
        assertFalse(dir.resolve("none.db").toFile().exists())
    }
}

@ExtendWith(PostgresExtension::class)
class PostgresFailureTest {
    @Test
    fun `an unreachable server is one line`() {
        val port = java.net.ServerSocket(0).use { it.localPort } // nothing listens there now
        val e = assertThrows<StoreException> { ScanStore.open("jdbc:postgresql://127.0.0.1:$port/kmap?user=kmap&password=hunter2") }
        assertTrue(e.message!!.startsWith("cannot reach PostgreSQL store jdbc:postgresql://127.0.0.1:$port/kmap?user=kmap&password=***"), e.message)
        assertFalse('\n' in e.message!!)
    }

    @Test
    fun `connecting ahead to an unreachable server fails at open with the same line`() {
        val port = java.net.ServerSocket(0).use { it.localPort } // nothing listens there now
        val url = "jdbc:postgresql://127.0.0.1:$port/kmap?user=kmap&password=hunter2"
        ScanStore.preconnect(url)
        val e = assertThrows<StoreException> { ScanStore.open(url) }
        assertTrue(e.message!!.startsWith("cannot reach PostgreSQL store jdbc:postgresql://127.0.0.1:$port/kmap?user=kmap&password=***"), e.message)
        assertFalse('\n' in e.message!!)
        // the failed connection was taken: the next open connects anew (and fails anew)
        assertThrows<StoreException> { ScanStore.open(url) }
    }

    @Test
    fun `connecting ahead creates no tables, the open that takes the connection does`(pg: PostgresServer) {
        val url = pg.newDatabase("ahead")
        fun kmapTables() = DriverManager.getConnection(url).use { c ->
            c.createStatement().use { s -> s.executeQuery("SELECT count(*) FROM pg_catalog.pg_class WHERE relname LIKE 'kmap%'").use { it.next(); it.getInt(1) } }
        }
        ScanStore.preconnect(url)
        Thread.sleep(300)
        assertEquals(0, kmapTables())
        ScanStore.open(url).use { assertEquals(emptyList(), it.history()) }
        val tables = kmapTables()
        assertTrue(tables > 0)
        // a current schema found ahead is used as it is; one from a newer kmap is still refused
        ScanStore.preconnect(url)
        ScanStore.open(url).use { assertEquals(emptyList(), it.history()) }
        assertEquals(tables, kmapTables())
        DriverManager.getConnection(url).use { c -> c.createStatement().use { it.execute("UPDATE kmap_schema_history SET version = '9' WHERE version = '1'") } }
        ScanStore.preconnect(url)
        assertTrue("schema version 9" in assertThrows<StoreException> { ScanStore.open(url) }.message!!)
        // SQLite URLs are not connected to ahead: no file appears
        val file = java.io.File.createTempFile("kmap-ahead", ".db").also { it.delete() }
        ScanStore.preconnect(file.path)
        Thread.sleep(100)
        assertFalse(file.exists())
    }

    @Test
    fun `a missing database and a shared database`(pg: PostgresServer) {
        val e = assertThrows<StoreException> { ScanStore.open(pg.url.replace("/postgres?", "/nosuchdb?")) }
        assertTrue("database does not exist" in e.message!!, e.message)
        // a database with an application's own tables is fine: kmap adds its kmap_* tables beside them
        val url = pg.newDatabase("shared")
        DriverManager.getConnection(url).use { c -> c.createStatement().use { it.execute("CREATE TABLE app_users(id INT)") } }
        ScanStore.open(url).use { assertEquals(emptyList(), it.history()) }
        // a newer schema is refused
        DriverManager.getConnection(url).use { c ->
            c.createStatement().use {
                it.execute("UPDATE kmap_schema_history SET version = '7' WHERE version = '1'")
            }
        }
        val newer = assertThrows<StoreException> { ScanStore.open(url) }
        assertTrue("schema version 7" in newer.message!!, newer.message)
    }
}
