package dev.kmap.store

import dev.kmap.lab.PostgresExtension
import dev.kmap.lab.PostgresServer
import org.junit.jupiter.api.extension.ExtendWith

@ExtendWith(PostgresExtension::class)
class PostgresStoreTest(private val pg: PostgresServer) : StoreContract() {
    override fun newUrl(): String = pg.newDatabase()
}
