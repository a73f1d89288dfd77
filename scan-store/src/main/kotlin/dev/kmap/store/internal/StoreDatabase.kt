package dev.kmap.store.internal

import dev.kmap.dsl.scan
import dev.kmap.store.RecordSettings
import dev.kmap.store.ScanStore
import dev.kmap.store.StoreException
import org.jetbrains.exposed.v1.core.DatabaseConfig
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.JdbcTransaction
import org.jetbrains.exposed.v1.jdbc.transactions.transaction
import org.postgresql.util.PSQLException
import org.sqlite.SQLiteErrorCode
import org.sqlite.SQLiteException
import java.io.File
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Proxy
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions
import java.sql.Connection
import java.sql.Driver
import java.sql.SQLException
import java.util.Properties
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ExecutionException
import java.util.concurrent.FutureTask

internal enum class Dialect { SQLITE, POSTGRESQL }

/**
 * One open store: a single JDBC connection (SQLite allows one writer anyway, and a scan writes
 * from one thread), shared by Exposed through a proxy that ignores `close()`. Every use goes
 * through [tx], which serialises callers. Opening checks, before anything is written, that the
 * database is empty or a kmap store of a version this kmap knows (see [Migrations]).
 */
internal class StoreDatabase private constructor(
    val url: String,
    val dialect: Dialect,
    private val connection: Connection,
) : AutoCloseable {
    /** The URL without credentials, for messages. */
    val shownUrl: String = StoreUrls.redact(url)

    // made on first use (Exposed, Flyway): a dynamic proxy's class is generated at run time (no
    // class-data archive holds it on JDK 17), tens of milliseconds a scan would wait for
    private val shared: Connection by lazy(LazyThreadSafetyMode.SYNCHRONIZED) {
        Proxy.newProxyInstance(
            Connection::class.java.classLoader, arrayOf(Connection::class.java),
        ) { _, method, args ->
            if (method.name == "close") null
            else try { method.invoke(connection, *(args ?: emptyArray())) } catch (e: InvocationTargetException) { throw e.targetException }
        } as Connection
    }

    // made on first use: opening and checking a store needs only JDBC, so a scan starts sooner
    val database: Database by lazy(LazyThreadSafetyMode.SYNCHRONIZED) { connectExposed() }

    private fun connectExposed(): Database = Database.connect(
        getNewConnection = { shared },
        databaseConfig = DatabaseConfig {
            defaultMaxAttempts = 1
            defaultIsolationLevel = if (dialect == Dialect.SQLITE) Connection.TRANSACTION_SERIALIZABLE else Connection.TRANSACTION_READ_COMMITTED
        },
    )

    /**
     * Loads what a first use of a store needs on a background thread, so a CLI scan that records
     * itself does not wait for it after its arguments are parsed: the first JSON encoding of a plan
     * and of [RecordSettings] (kotlinx.serialization's and kotlin-reflect's classes, tens of
     * milliseconds on a cold JVM; the store keeps both as JSON), the plan hash, this process's id,
     * the store's table objects (not Exposed's transactions: a scan's writer does not use them), and
     * with [drivers] the SQLite driver and its native library and the PostgreSQL driver.
     */
    internal object Warmup {
        /** Set on the run that trains a class-data archive (bin/kmap): see [loadPostgresClasses]. */
        const val TRAINING_PROPERTY = "kmap.cds.training"

        /** The class names [loadPostgresClasses] loads, one a line (`#` comments). */
        const val POSTGRES_CLASSES = "/dev/kmap/store/postgresql-classes.txt"

        fun start(drivers: Boolean) {
            // whether or not the training run opens its (SQLite) store ahead, which makes drivers false
            if (System.getProperty(TRAINING_PROPERTY) == "true") loadPostgresClasses()
            Thread({
                runCatching {
                    // one port: the classes are the same, and the port tables (the default top 1000) are
                    // not decoded and a long plan not hashed on a core the scan's start needs
                    PlanText.hash(scan { targets("127.0.0.1"); ports("80") })
                    ScanStore.settingsJson.encodeToString(RecordSettings.serializer(), RecordSettings())
                    ProcessId.current // the JDK's process handles start a reaper pool on first use
                }
                runCatching {
                    if (drivers) {
                        Class.forName("org.sqlite.JDBC")
                        org.sqlite.SQLiteJDBCLoader.initialize()
                        Class.forName("org.postgresql.Driver")
                    }
                    // a recording scan writes in plain JDBC (BatchInserts): of Exposed only the table objects, for their column names
                    listOf(Scans, Hosts, Ports, PortChunkRows, HostChunkRows, Scripts, Checkpoints, NetworkTimings).forEach { it.columns }
                }
            }, "kmap-store-warmup").apply { isDaemon = true; start() }
        }

        /**
         * Loads (neither initialises nor uses) the classes of [POSTGRES_CLASSES]; returns how many
         * were found. A class-data archive holds the classes its training run loaded, and that run
         * records into SQLite (no server to connect to): without these, a scan recorded into
         * PostgreSQL loads some 260 classes from their jars, about 50 ms of CPU before the first
         * packet (measured). Called on the training run only; a name that is gone is skipped.
         */
        fun loadPostgresClasses(): Int {
            val loader = Warmup::class.java.classLoader
            val names = Warmup::class.java.getResourceAsStream(POSTGRES_CLASSES)?.bufferedReader()?.use { r ->
                r.lineSequence().map { it.trim() }.filter { it.isNotEmpty() && !it.startsWith("#") }.toList()
            } ?: return 0
            return names.count { name -> runCatching { Class.forName(name, false, loader) }.isSuccess }
        }
    }

    private val lock = Any()

    /** Runs [block] in one transaction; database errors become [StoreException]s naming the store. */
    fun <T> tx(what: String, block: JdbcTransaction.() -> T): T = synchronized(lock) {
        try {
            transaction(database) { block() }
        } catch (e: StoreException) {
            throw e
        } catch (e: Exception) {
            throw describe(e, what)
        }
    }

    /**
     * Runs [block] in one transaction on the plain JDBC connection, without Exposed: for what a scan
     * does before its first packet ([StartQueries]). Errors become [StoreException]s as in [tx].
     */
    fun <T> jdbc(what: String, block: (Connection) -> T): T = synchronized(lock) {
        try {
            val auto = connection.autoCommit
            if (auto) connection.autoCommit = false
            try {
                block(connection).also { connection.commit() }
            } catch (e: Throwable) {
                runCatching { connection.rollback() }
                throw e
            } finally {
                if (auto) runCatching { connection.autoCommit = true }
            }
        } catch (e: StoreException) {
            throw e
        } catch (e: Exception) {
            throw describe(e, what)
        }
    }

    /**
     * For a [jdbc] transaction that reads, then writes what it read decides: takes SQLite's write
     * lock first, as `BEGIN IMMEDIATE` would. A transaction that has read cannot wait for another
     * writer (SQLite answers "busy" at once, whatever busy_timeout says, and would let two shards
     * both decide on what they read); one that takes the lock first waits its turn. Nothing on
     * PostgreSQL, whose callers lock what they need.
     */
    fun writeFirst(c: Connection) {
        if (dialect == Dialect.SQLITE) c.createStatement().use { it.executeUpdate("DELETE FROM ${NetworkTimings.tableName} WHERE 0 = 1") }
    }

    /** The JDBC connection, for raw checks ([Migrations]); callers hold no transaction and never close it. */
    fun <T> raw(block: (Connection) -> T): T = synchronized(lock) { block(connection) }

    /** As [raw], for code that closes what it is given (Flyway): a view of the connection whose `close()` does nothing. */
    fun <T> rawUnclosable(block: (Connection) -> T): T = synchronized(lock) { block(shared) }

    fun describe(e: Throwable, what: String): StoreException = StoreErrors.describe(e, what, shownUrl, dialect)

    override fun close() {
        synchronized(lock) { runCatching { connection.close() } }
    }

    companion object {
        /** Opens (and creates or migrates) the store at [url]; raises [StoreException]. */
        fun open(url: String, readOnly: Boolean = false): StoreDatabase {
            val ahead = if (url.startsWith("jdbc:postgresql:")) takePreconnected(url) else null
            val db = when {
                url.startsWith("jdbc:sqlite:") -> openSqlite(url, readOnly)
                url.startsWith("jdbc:postgresql:") -> StoreDatabase(url, Dialect.POSTGRESQL, ahead?.connection ?: connectPostgres(url))
                else -> throw StoreException(
                    "unsupported store URL \"${StoreUrls.redact(url)}\" (expected jdbc:sqlite:FILE or jdbc:postgresql://HOST[:PORT]/DATABASE)",
                )
            }
            try {
                // a schema found current when connecting ahead needs no second look
                if (ahead?.current != true) Migrations.check(db, readOnly)
            } catch (e: Throwable) {
                db.close()
                throw e
            }
            return db
        }

        private fun openSqlite(url: String, readOnly: Boolean): StoreDatabase {
            val path = StoreUrls.sqlitePath(url)
            val shown = StoreUrls.redact(url)
            if (path != null) {
                val file = File(path)
                if (file.isDirectory) throw StoreException("store $shown is a directory (expected a database file)")
                if (file.exists()) {
                    SqliteFiles.checkHeader(file, shown)
                } else {
                    if (readOnly) throw StoreException("store $shown does not exist (no scan was recorded there yet)")
                    val parent = file.absoluteFile.parentFile
                    if (!parent.isDirectory) {
                        if (parent.path != StoreUrls.defaultDirectory().path) {
                            throw StoreException("cannot create store $shown: directory ${parent.path} does not exist")
                        }
                        createPrivateDirectory(parent)
                    }
                }
            }
            val props = Properties().apply {
                // a writer waits this long for another process's transaction before "locked"
                setProperty("busy_timeout", System.getProperty("kmap.store.busyTimeoutMillis", "5000"))
                setProperty("foreign_keys", "true")
            }
            val c = try {
                connect(org.sqlite.JDBC(), url, props)
            } catch (e: SQLException) {
                throw StoreErrors.describe(e, "open", shown, Dialect.SQLITE)
            }
            return StoreDatabase(url, Dialect.SQLITE, c)
        }

        /** A connection [preconnect] opened, and whether the schema it found is [Migrations.LATEST]. */
        private class Preconnected(val connection: Connection, val current: Boolean)

        /** Connections [preconnect] is opening, by URL. */
        private val preconnected = ConcurrentHashMap<String, FutureTask<Preconnected>>()

        /**
         * Starts connecting to the PostgreSQL store at [url] on a background thread (nothing else for
         * other URLs), and reads (never changes) its schema version: a program may call this before
         * it knows it will use the store. The next [open] of [url] takes the connection, or raises
         * the [StoreException] connecting met, and checks, creates or migrates the schema unless it
         * was found current; a connection never taken closes with the process.
         */
        fun preconnect(url: String) {
            if (!url.startsWith("jdbc:postgresql:")) return
            val task = FutureTask {
                val c = connectPostgres(url)
                Preconnected(c, runCatching { Migrations.isCurrent(c, Dialect.POSTGRESQL) }.getOrDefault(false))
            }
            if (preconnected.putIfAbsent(url, task) == null) Thread(task, "kmap-store-connect").apply { isDaemon = true }.start()
        }

        private fun takePreconnected(url: String): Preconnected? = preconnected.remove(url)?.let { task ->
            try {
                task.get()
            } catch (e: ExecutionException) {
                throw e.cause ?: e
            }
        }

        private fun connectPostgres(url: String): Connection {
            val shown = StoreUrls.redact(url)
            val props = Properties().apply {
                // an unreachable server fails in seconds, not after the OS's TCP timeout
                if (!url.contains("connectTimeout=")) setProperty("connectTimeout", "5")
                if (!url.contains("loginTimeout=")) setProperty("loginTimeout", "10")
                // the writer's batches become multi-row INSERTs (one round trip per batch, not per row)
                if (!url.contains("reWriteBatchedInserts=")) setProperty("reWriteBatchedInserts", "true")
                setProperty("ApplicationName", "kmap")
                System.getenv("KMAP_STORE_PASSWORD")?.let { if (!url.contains("password=")) setProperty("password", it) }
            }
            return try {
                connect(org.postgresql.Driver(), url, props)
            } catch (e: SQLException) {
                throw StoreErrors.describe(e, "connect", shown, Dialect.POSTGRESQL)
            }
        }

        /**
         * The dialect's driver directly, not through DriverManager: its first use loads every
         * `java.sql.Driver` on the class path and spins method handles for its log strings, tens of
         * milliseconds before a scan could start.
         */
        private fun connect(driver: Driver, url: String, props: Properties): Connection =
            driver.connect(url, props) ?: throw SQLException("the driver does not accept this URL")

        private fun createPrivateDirectory(dir: File) {
            try {
                Files.createDirectories(dir.toPath())
                runCatching { Files.setPosixFilePermissions(dir.toPath(), PosixFilePermissions.fromString("rwx------")) }
            } catch (e: java.io.IOException) {
                throw StoreException("cannot create the store directory ${dir.path}: ${e.message ?: e.javaClass.simpleName}")
            }
        }
    }
}

/** Maps driver errors to one line by error code or SQL state, never by (translated) message text. */
internal object StoreErrors {
    fun describe(e: Throwable, what: String, shown: String, dialect: Dialect): StoreException {
        // the driver's own exception is the deepest (Exposed wraps it in one of its own)
        val sql = generateSequence(e) { it.cause }.filterIsInstance<SQLException>().lastOrNull()
        val detail = (sql?.message ?: e.message ?: e.javaClass.simpleName).lineSequence().first().take(200)
        val message = when (dialect) {
            Dialect.SQLITE -> when ((sql as? SQLiteException)?.resultCode?.let { it.code and 0xff }) {
                SQLiteErrorCode.SQLITE_NOTADB.code -> "store $shown is not a kmap database (not an SQLite file)"
                SQLiteErrorCode.SQLITE_CORRUPT.code -> "store $shown is corrupt (SQLite reports a malformed database)"
                SQLiteErrorCode.SQLITE_BUSY.code, SQLiteErrorCode.SQLITE_LOCKED.code ->
                    "store $shown is locked by another process (waited ${System.getProperty("kmap.store.busyTimeoutMillis", "5000")} ms)"
                SQLiteErrorCode.SQLITE_CANTOPEN.code -> "cannot open store $shown (check that the file and its directory are writable)"
                SQLiteErrorCode.SQLITE_READONLY.code -> "store $shown is read-only (check the file's permissions)"
                SQLiteErrorCode.SQLITE_FULL.code -> "store $shown: the disk is full"
                SQLiteErrorCode.SQLITE_IOERR.code -> "store $shown: I/O error ($detail)"
                else -> "store $shown: $what failed: $detail"
            }
            Dialect.POSTGRESQL -> {
                val state = (sql as? PSQLException)?.sqlState ?: sql?.sqlState ?: ""
                when {
                    state.startsWith("08") -> "cannot reach PostgreSQL store $shown ($detail)"
                    state.startsWith("28") -> "PostgreSQL store $shown refused the login (check the user and password)"
                    state == "3D000" -> "PostgreSQL store $shown: the database does not exist (create it first)"
                    state == "42501" -> "PostgreSQL store $shown: permission denied ($detail)"
                    state == "57P01" || state == "57P02" || state == "57P03" -> "PostgreSQL store $shown is shutting down or starting ($detail)"
                    else -> "store $shown: $what failed: $detail"
                }
            }
        }
        return StoreException(message, e)
    }
}

/** SQLite files start with a fixed header; anything else is refused before SQLite opens it. */
internal object SqliteFiles {
    private val HEADER = "SQLite format 3\u0000".toByteArray(Charsets.ISO_8859_1)

    fun checkHeader(file: File, shown: String) {
        val length = file.length()
        if (length == 0L) return // an empty file is an empty database
        if (!file.canRead()) throw StoreException("cannot read store $shown (check the file's permissions)")
        val head = ByteArray(HEADER.size)
        val n = file.inputStream().use { it.readNBytes(head, 0, head.size) }
        if (n < HEADER.size || !head.contentEquals(HEADER)) {
            throw StoreException("store $shown is not a kmap database (not an SQLite file; expected a database kmap created)")
        }
    }
}
