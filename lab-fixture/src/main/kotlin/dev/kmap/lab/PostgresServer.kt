package dev.kmap.lab

import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.nio.file.Path
import java.sql.DriverManager
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/**
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` package (`initdb`, `pg_ctl`
 * under `/usr/lib/postgresql/<version>/bin`), a cluster in a temporary directory, listening
 * only on 127.0.0.1 at a free port with trust authentication, run as the `postgres` user when
 * the tests run as root. [stop] (or the JVM's end) stops it and removes the directory.
 *
 * ```kotlin
 * PostgresServer.start().use { pg -> ScanStore.open(pg.newDatabase()).use { /* ... */ } }
 * ```
 */
public class PostgresServer private constructor(private val dir: Path, private val bin: File, public val port: Int) : AutoCloseable {
    private val names = AtomicInteger()

    /** The JDBC URL of the `postgres` database. */
    public val url: String get() = "jdbc:postgresql://127.0.0.1:$port/postgres?user=$USER"

    /** Creates an empty database and returns its JDBC URL. */
    public fun newDatabase(prefix: String = "kmap"): String {
        val name = "${prefix}_${ProcessHandle.current().pid()}_${names.incrementAndGet()}"
        DriverManager.getConnection(url).use { c -> c.createStatement().use { it.execute("CREATE DATABASE $name") } }
        return "jdbc:postgresql://127.0.0.1:$port/$name?user=$USER"
    }

    /** Stops the server at once and removes its files. */
    public fun stop() {
        runCatching { run(listOf(File(bin, "pg_ctl").path, "-D", dir.toString(), "-m", "immediate", "-w", "stop"), 60) }
        dir.toFile().deleteRecursively()
    }

    override fun close(): Unit = stop()

    public companion object {
        /** The database user the server trusts. */
        public const val USER: String = "kmap"

        private val root = System.getProperty("user.name") == "root"

        /** Why no server can be started here, or null when one can. */
        public fun unavailableReason(): String? {
            if (binDir() == null) return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; bin/install-deps installs it)"
            if (root && runCatching { ProcessBuilder("id", "postgres").start().waitFor() }.getOrNull() != 0) {
                return "running as root, but there is no postgres user to run the server as"
            }
            return null
        }

        private fun binDir(): File? = File("/usr/lib/postgresql").listFiles()
            ?.filter { File(it, "bin/initdb").canExecute() }
            ?.maxByOrNull { it.name.toIntOrNull() ?: 0 }?.let { File(it, "bin") }

        /** Starts a new server; raises [LabException] if it cannot. */
        public fun start(): PostgresServer {
            unavailableReason()?.let { throw LabUnavailableException(it) }
            val bin = binDir()!!
            val dir = Files.createTempDirectory("kmap-pg-")
            if (root) run(listOf("chown", "postgres:postgres", dir.toString()), 10, asPostgres = false)
            val data = dir.resolve("data")
            run(listOf(File(bin, "initdb").path, "-D", data.toString(), "-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8", "--locale=C"), 120)
            val port = ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")).use { it.localPort }
            val options = "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50"
            run(listOf(File(bin, "pg_ctl").path, "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-o", options, "-w", "-t", "60", "start"), 90)
            val server = PostgresServer(data, bin, port)
            Runtime.getRuntime().addShutdownHook(Thread({ runCatching { server.stop(); dir.toFile().deleteRecursively() } }, "kmap-pg-stop"))
            return server
        }

        private fun run(command: List<String>, timeoutSeconds: Long, asPostgres: Boolean = root) {
            val full = if (asPostgres) listOf("runuser", "-u", "postgres", "--") + command else command
            val log = Files.createTempFile("kmap-pg-", ".log")
            try {
                val p = ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).directory(File("/")).start()
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly()
                    throw LabException("${command.first()} did not finish in $timeoutSeconds s")
                }
                if (p.exitValue() != 0) throw LabException("${full.joinToString(" ")} failed (${p.exitValue()}): ${Files.readString(log).trim().takeLast(2000)}")
            } finally {
                Files.deleteIfExists(log)
            }
        }
    }
}
