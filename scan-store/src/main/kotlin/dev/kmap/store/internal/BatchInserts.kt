package dev.kmap.store.internal

import org.jetbrains.exposed.v1.core.Table
import java.sql.Connection
import java.sql.PreparedStatement
import java.sql.Types

/**
 * The writer's hot path, the rows a scan streams (hosts, ports, scripts), in plain JDBC: Exposed's
 * `batchInsert` builds a statement object per row, about ten times the cost (measured: 65535 port
 * rows took ~1.5 s with it), and a scan must not wait for its store. The column lists come from
 * the Exposed table objects, so they are written once.
 * Statements are prepared once and kept across commits. On PostgreSQL the driver rewrites each
 * batch into multi-row statements (`reWriteBatchedInserts`, set by [StoreDatabase]). (Multi-row
 * SQLite statements with the values as literals were tried: parsing the text cost more than the
 * binds it saved, and so did one statement per batch over `json_each(?)`.)
 */
internal class BatchInserts(private val scanId: Long) : AutoCloseable {
    private var connection: Connection? = null
    private val prepared = HashMap<Table, PreparedStatement>()

    private fun insertInto(table: Table): String = "INSERT INTO ${table.tableName} (${table.columns.joinToString(", ") { it.name }}) VALUES "

    private fun conflict(ignoreDuplicates: Boolean) = if (ignoreDuplicates) " ON CONFLICT DO NOTHING" else ""

    /** Writes [rows] with [values] giving each row's values in column order. */
    private fun <R> insert(c: Connection, table: Table, rows: Collection<R>, ignoreDuplicates: Boolean, values: (R, Values) -> Unit) {
        if (rows.isEmpty()) return
        if (connection !== c) { close(); connection = c }
        val ps = prepared.getOrPut(table) {
            val marks = table.columns.joinToString(", ") { "?" }
            c.prepareStatement(insertInto(table) + "($marks)" + conflict(ignoreDuplicates))
        }
        val bind = Binds(ps)
        for (r in rows) { bind.i = 0; values(r, bind); ps.addBatch() }
        ps.executeBatch()
    }

    fun hosts(c: Connection, rows: Collection<HostRow>) = insert(c, Hosts, rows, false) { h, v ->
        v.long(scanId); v.int(h.hostNo); v.int(h.finishSeq); v.long(h.position)
        v.text(h.host.address.toString()); v.text(StoredText.encodeOrNull(h.host.name)); v.text(h.status)
        v.text(StoredText.encode(h.reason)); v.text(StoredText.encodeOrNull(h.reverseName)); v.long(h.latencyMicros)
        v.long(h.startedAt); v.long(h.finishedAt); v.bool(h.timedOut); v.text(StoredText.encodeOrNull(h.error)); v.bool(h.complete)
        v.text(h.mac); v.text(h.hostnamesJson); v.text(h.osJson)
    }

    fun ports(c: Connection, rows: List<PortRow>) = insert(c, Ports, rows, false) { p, v ->
        val r = p.result
        v.long(scanId); v.int(p.hostNo); v.text(r.protocol.label); v.int(r.port); v.text(r.state.label)
        v.text(StoredText.encode(r.reason)); v.text(StoredText.encodeOrNull(r.service)); v.long(r.rttMicros)
        v.text(Codes.service(r.serviceInfo))
    }

    fun chunks(c: Connection, rows: List<ChunkRow>) = insert(c, PortChunkRows, rows, false) { r, v ->
        v.long(scanId); v.int(r.hostNo); v.int(r.seq); v.bytes(r.data)
    }

    fun scripts(c: Connection, rows: List<ScriptRow>) = insert(c, Scripts, rows, true) { s, v ->
        v.long(scanId); v.int(s.hostNo); v.text(s.protocol); v.int(s.port); v.int(s.seq)
        v.text(StoredText.encode(s.script.id)); v.text(StoredText.encode(s.script.output)); v.text(Codes.elements(s.script.elements))
    }

    override fun close() {
        prepared.values.forEach { runCatching { it.close() } }
        prepared.clear()
    }

    /** One row's values, in column order. */
    private interface Values {
        fun long(v: Long?)
        fun int(v: Int?)
        fun bool(v: Boolean)
        fun text(v: String?)
        fun bytes(v: ByteArray)
    }

    private class Binds(private val ps: PreparedStatement) : Values {
        var i = 0
        override fun long(v: Long?) { if (v == null) ps.setNull(++i, Types.BIGINT) else ps.setLong(++i, v) }
        override fun int(v: Int?) { if (v == null) ps.setNull(++i, Types.INTEGER) else ps.setInt(++i, v) }
        override fun bool(v: Boolean) { ps.setBoolean(++i, v) }
        override fun text(v: String?) { ps.setString(++i, v) }
        override fun bytes(v: ByteArray) { ps.setBytes(++i, v) }
    }
}
