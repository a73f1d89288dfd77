package dev.kmap.store

import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

class SqliteStoreTest : StoreContract() {
    @TempDir
    lateinit var dir: Path
    private var n = 0

    override fun newUrl(): String = "jdbc:sqlite:" + dir.resolve("kmap-${n++}.db")
}
