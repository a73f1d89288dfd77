package dev.kmap.cli

import dev.kmap.dsl.IpAddress
import dev.kmap.store.ScanStore
import dev.kmap.store.StoreException
import java.io.File
import java.io.PrintStream
import java.util.concurrent.ExecutionException
import java.util.concurrent.FutureTask

/** Opening the store for the CLI: `--store` or `$KMAP_STORE`, else `~/.kmap/kmap.db`. */
internal object StoreAccess {
    const val HINT = "kmap --no-store scans without recording; --store URL (or \$KMAP_STORE) chooses another store"

    fun url(option: String?): String = ScanStore.url(
        option ?: System.getenv("KMAP_STORE")?.takeIf { it.isNotBlank() } ?: ScanStore.defaultUrl(),
    )

    /** The store [openAhead] is opening: its URL and the open. */
    private class Ahead(val url: String, val open: FutureTask<ScanStore>)

    @Volatile
    private var ahead: Ahead? = null

    /**
     * A scan of `kmap` [args] records itself in its store (`--store URL`, else `$KMAP_STORE` or
     * the default): open it, check its schema and make the first query on another thread while
     * the arguments are parsed and the scan gets ready; [openForWriting] then takes it, or its
     * [StoreException], as it would have met them itself (a store at another URL than the parsed
     * one is closed unused). Only an SQLite file that exists already: a command line that turns
     * out bad creates no store and no tables. A PostgreSQL store is only connected to
     * ([ScanStore.preconnect]; its schema version read), its tables created only by [openForWriting].
     */
    fun openAhead(args: List<String>): Boolean {
        val option = storeOption(args)
        val url = runCatching { url(option) }.getOrNull() ?: return false
        // PostgreSQL only connected to: opening an empty database creates kmap's tables, which a
        // command line that turns out bad must not do
        if (url.startsWith("jdbc:postgresql:")) {
            ScanStore.preconnect(url)
            return true
        }
        val path = url.takeIf { it.startsWith("jdbc:sqlite:") }?.removePrefix("jdbc:sqlite:")?.substringBefore('?') ?: return false
        if (!File(path).isFile) return false
        val open = FutureTask {
            ScanStore.open(url).also { store -> runCatching { store.learnedTiming(IpAddress.parse("127.0.0.1")) } }
        }
        ahead = Ahead(url, open)
        Thread(open, "kmap-store-open").apply { isDaemon = true }.start()
        return true
    }

    /** The value of the first `--store URL` or `--store=URL` in [args], or null. */
    private fun storeOption(args: List<String>): String? {
        val i = args.indexOfFirst { it == "--store" || it.startsWith("--store=") }
        if (i < 0) return null
        return if (args[i] == "--store") args.getOrNull(i + 1) else args[i].removePrefix("--store=")
    }

    /** Opens the store for recording (created if missing); a [StoreException] becomes a [UserError] (exit 2). */
    fun openForWriting(url: String): ScanStore = try {
        takeAhead(url) ?: ScanStore.open(url)
    } catch (e: StoreException) {
        throw UserError(e.message ?: "cannot open the store", HINT)
    }

    /** The store [openAhead] opened when it is the one at [url] (else it is closed and null). */
    private fun takeAhead(url: String): ScanStore? {
        val a = ahead ?: return null
        ahead = null
        if (a.url != url) {
            runCatching { a.open.get().close() }
            return null
        }
        return try {
            a.open.get()
        } catch (e: ExecutionException) {
            throw e.cause ?: e
        }
    }

    /**
     * Opens the store to read it; null (after saying so on [out]) when it is an SQLite file that
     * does not exist yet: nothing has been recorded.
     */
    fun openForReading(url: String, out: PrintStream): ScanStore? {
        val path = url.takeIf { it.startsWith("jdbc:sqlite:") }?.removePrefix("jdbc:sqlite:")?.substringBefore('?')
        if (path != null && path != ":memory:" && !File(path).exists()) {
            out.println("No scans recorded yet (store $url does not exist).")
            return null
        }
        return try {
            ScanStore.open(url)
        } catch (e: StoreException) {
            throw UserError(e.message ?: "cannot open the store", HINT)
        }
    }

    /** A scan id argument. */
    fun id(text: String, what: String = "scan id"): Long =
        text.toLongOrNull()?.takeIf { it > 0 } ?: throw UserError("invalid $what \"$text\" (expected a number from kmap history)", "kmap history lists the stored scans and their ids")
}
