package dev.kmap.cli

import dev.kmap.store.ScanStore
import dev.kmap.store.StoreException
import java.io.File
import java.io.PrintStream

/** Opening the store for the CLI: `--store` or `$KMAP_STORE` (or `-Dkmap.store`), else `~/.kmap/kmap.db`. */
internal object StoreAccess {
    const val HINT = "kmap --no-store scans without recording; --store URL (or \$KMAP_STORE) chooses another store"

    fun url(option: String?): String = ScanStore.url(
        option ?: System.getenv("KMAP_STORE")?.takeIf { it.isNotBlank() } ?: testStore() ?: ScanStore.defaultUrl(),
    )

    /** `-Dkmap.store=FILE` (the test suites' own store), its directory created like ~/.kmap. */
    private fun testStore(): String? = System.getProperty("kmap.store")?.takeIf { it.isNotBlank() }?.also { File(it).absoluteFile.parentFile?.mkdirs() }

    /** Opens the store for recording (created if missing); a [StoreException] becomes a [UserError] (exit 2). */
    fun openForWriting(url: String): ScanStore = try {
        ScanStore.open(url)
    } catch (e: StoreException) {
        throw UserError(e.message ?: "cannot open the store", HINT)
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
