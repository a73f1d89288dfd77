package dev.kmap.store.internal

import dev.kmap.store.StoreException
import org.flywaydb.core.Flyway
import org.flywaydb.core.api.FlywayException
import java.io.File
import java.io.IOException
import java.io.PrintWriter
import java.nio.channels.FileChannel
import java.nio.file.StandardOpenOption
import java.sql.Connection
import java.sql.SQLException
import java.util.logging.Logger
import javax.sql.DataSource

/**
 * The schema's versions are Flyway migrations (`dev/kmap/store/migration/<dialect>/V<n>__*.sql`),
 * recorded in `kmap_schema_history` (not Flyway's default name, so a PostgreSQL database shared
 * with an application that uses Flyway itself keeps both histories apart).
 *
 * Flyway runs only when the store is new or older than this kmap: a store at [LATEST] is checked
 * with one query, so a scan does not pay Flyway's start-up. Concurrent first runs (shards starting
 * together) take turns: on PostgreSQL under an advisory lock, on SQLite under a lock on a file
 * beside the store ([LOCK_SUFFIX]), made only when a migration may be needed. A store from a newer
 * kmap, a failed migration, or an SQLite file that holds another program's tables is refused
 * before anything is written.
 */
internal object Migrations {
    /** The newest schema version this kmap knows (the highest `V<n>` in both dialects' folders). */
    const val LATEST: Int = 5
    const val HISTORY_TABLE: String = "kmap_schema_history"

    /** Beside an SQLite store: the file kmap locks while it checks and migrates the store's schema. */
    const val LOCK_SUFFIX: String = "-migration-lock"

    /** The PostgreSQL advisory lock key kmap holds while it checks and migrates a schema. */
    private const val MIGRATION_LOCK = 0x6b6d6170_0001L

    private class State(val tables: Set<String>, val version: Int, val failed: Boolean) {
        val current: Boolean get() = !failed && version == LATEST
    }

    fun check(db: StoreDatabase, readOnly: Boolean) {
        // processes opening one new (or older) store together, as shards do, take turns: one
        // migrates, the others then find it done (Flyway alone would run the same scripts twice)
        if (db.dialect == Dialect.SQLITE) {
            val path = StoreUrls.sqlitePath(db.url)
            val state = read(db)
            if (path == null || state.current) return checkLocked(db, readOnly, state)
            return withFileLock(File("$path$LOCK_SUFFIX"), db) { checkLocked(db, readOnly, read(db)) }
        }
        advisory(db, "pg_advisory_lock")
        try {
            checkLocked(db, readOnly)
        } finally {
            runCatching { advisory(db, "pg_advisory_unlock") }
        }
    }

    private fun read(db: StoreDatabase): State = try {
        db.raw { inspect(it, db.dialect) }
    } catch (e: SQLException) {
        throw db.describe(e, "reading the schema")
    }

    /**
     * Runs [block] holding an exclusive lock on [file] (created beside the database, left there:
     * removing it would let a waiting process lock the removed file) and, for this process's other
     * threads, on this object. SQLite's own locks cannot serve: Flyway's transactions come and go.
     */
    private fun <T> withFileLock(file: File, db: StoreDatabase, block: () -> T): T = synchronized(this) {
        fun failed(e: IOException): Nothing = throw StoreException("cannot lock ${file.path} to migrate store ${db.shownUrl}: ${e.message}")
        val channel = try {
            FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)
        } catch (e: IOException) {
            failed(e)
        }
        channel.use { ch ->
            val lock = try { ch.lock() } catch (e: IOException) { failed(e) }
            lock.use { block() }
        }
    }

    private fun advisory(db: StoreDatabase, function: String) {
        try {
            db.raw { c ->
                c.createStatement().use { it.execute("SELECT $function($MIGRATION_LOCK)") }
                if (!c.autoCommit) c.commit()
            }
        } catch (e: SQLException) {
            throw db.describe(e, "locking the schema")
        }
    }

    private fun checkLocked(db: StoreDatabase, readOnly: Boolean, state: State = read(db)) {
        val shown = db.shownUrl
        when {
            state.failed -> throw StoreException(
                "store $shown has a failed schema migration in $HISTORY_TABLE (repair or remove the database)",
            )
            state.version > LATEST -> throw StoreException(
                "store $shown has schema version ${state.version}, written by a newer kmap (this kmap knows up to $LATEST): upgrade kmap",
            )
            state.version == 0 && foreign(state.tables, db.dialect) -> throw StoreException(
                "store $shown is not a kmap database (it holds other tables and no $HISTORY_TABLE)",
            )
            state.version < LATEST -> {
                if (readOnly && state.version == 0) throw StoreException("store $shown holds no kmap scans yet")
                migrate(db)
            }
        }
        if (db.dialect == Dialect.SQLITE) {
            db.raw { c ->
                c.createStatement().use { s ->
                    // WAL: readers never block the scan's writer, and a killed writer leaves the last
                    // committed transaction intact; NORMAL syncs at checkpoints, not at every commit.
                    s.execute("PRAGMA journal_mode=WAL")
                    s.execute("PRAGMA synchronous=NORMAL")
                }
            }
        }
    }

    /**
     * True when [c]'s store is at [LATEST] with no failed migration (only reads; the caller then
     * needs no [check]). A store at [LATEST] stays there: only a newer kmap changes it.
     */
    fun isCurrent(c: Connection, dialect: Dialect): Boolean = inspect(c, dialect).current

    private fun foreign(tables: Set<String>, dialect: Dialect): Boolean = when (dialect) {
        // a PostgreSQL database is shared: other tables are fine, a clash with ours is not
        Dialect.POSTGRESQL -> tables.any { it.startsWith("kmap_") }
        Dialect.SQLITE -> tables.isNotEmpty()
    }

    private fun inspect(c: Connection, dialect: Dialect): State {
        val tables = HashSet<String>()
        val sql = when (dialect) {
            Dialect.SQLITE -> "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            // the catalog, not information_schema.tables (a view whose privilege checks cost the server milliseconds)
            Dialect.POSTGRESQL -> "SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'f')"
        }
        c.createStatement().use { s -> s.executeQuery(sql).use { r -> while (r.next()) tables += r.getString(1).lowercase() } }
        if (HISTORY_TABLE !in tables) return State(tables, 0, failed = false)
        var version = 0
        var failed = false
        c.createStatement().use { s ->
            s.executeQuery("SELECT version, success FROM $HISTORY_TABLE WHERE version IS NOT NULL").use { r ->
                while (r.next()) {
                    val v = r.getString(1).toIntOrNull() ?: Int.MAX_VALUE
                    if (r.getBoolean(2)) version = maxOf(version, v) else failed = true
                }
            }
        }
        if (!c.autoCommit) c.commit()
        return State(tables, version, failed)
    }

    private fun migrate(db: StoreDatabase) {
        val folder = when (db.dialect) { Dialect.SQLITE -> "sqlite"; Dialect.POSTGRESQL -> "postgresql" }
        db.rawUnclosable { c ->
            try {
                Flyway.configure(Migrations::class.java.classLoader)
                    .dataSource(OneConnection(c))
                    .locations("classpath:dev/kmap/store/migration/$folder")
                    .table(HISTORY_TABLE)
                    .failOnMissingLocations(true)
                    // a shared PostgreSQL schema may hold an application's tables: start the history there
                    .baselineOnMigrate(db.dialect == Dialect.POSTGRESQL)
                    .baselineVersion("0")
                    .cleanDisabled(true)
                    .load()
                    .migrate()
            } catch (e: FlywayException) {
                throw StoreException("store ${db.shownUrl}: schema migration failed: ${(e.message ?: "").lineSequence().first().take(200)}", e)
            }
        }
    }

    /** Flyway's view of the store's one connection. */
    internal class OneConnection(private val c: Connection) : DataSource {
        override fun getConnection(): Connection = c
        override fun getConnection(username: String?, password: String?): Connection = c
        override fun getLogWriter(): PrintWriter? = null
        override fun setLogWriter(out: PrintWriter?) {}
        override fun setLoginTimeout(seconds: Int) {}
        override fun getLoginTimeout(): Int = 0
        override fun getParentLogger(): Logger = Logger.getLogger("dev.kmap.store")
        override fun <T : Any?> unwrap(iface: Class<T>?): T = throw SQLException("not a wrapper")
        override fun isWrapperFor(iface: Class<*>?): Boolean = false
    }
}
