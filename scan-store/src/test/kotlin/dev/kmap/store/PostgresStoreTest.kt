package dev.kmap.store

import dev.kmap.lab.PostgresExtension
import dev.kmap.lab.PostgresServer
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import java.sql.DriverManager
import kotlin.test.assertEquals

@ExtendWith(PostgresExtension::class)
class PostgresStoreTest(private val pg: PostgresServer) : StoreContract() {
    override fun newUrl(): String = pg.newDatabase()

    @Test
    fun `the chunks' bytes are compressed with LZ4 (schema version 5), on a server that has it`() {
        val url = newUrl()
        ScanStore.open(url).close()
        DriverManager.getConnection(url).use { c ->
            c.createStatement().use { s ->
                // the test server is Debian's PostgreSQL, built with LZ4
                s.executeQuery("SELECT current_setting('server_version_num')::int >= 140000").use { it.next(); assertEquals(true, it.getBoolean(1)) }
                val sql = "SELECT attrelid::regclass::text, attcompression FROM pg_attribute " +
                    "WHERE attrelid IN ('kmap_port_chunk'::regclass, 'kmap_host_chunk'::regclass) AND attname = 'data' ORDER BY 1"
                val methods = s.executeQuery(sql).use { r -> buildList { while (r.next()) add(r.getString(1) to r.getString(2)) } }
                assertEquals(listOf("kmap_host_chunk" to "l", "kmap_port_chunk" to "l"), methods)
            }
        }
    }
}
