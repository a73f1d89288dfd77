package dev.kmap.store.internal

import org.jetbrains.exposed.v1.core.Column
import org.jetbrains.exposed.v1.core.Table
import org.postgresql.PGConnection
import java.sql.Connection
import java.sql.PreparedStatement
import java.sql.Types
import java.util.HexFormat

/**
 * Everything a recording scan writes (the rows it streams, their updates, the scan row), in plain
 * JDBC: Exposed's `batchInsert` builds a statement object per row, about ten times the cost
 * (measured: 65535 port rows took ~1.5 s with it), and its first transaction loads and sets up
 * its whole machinery (class loading, the dialect, the driver's metadata), tens of milliseconds a
 * short scan would wait for. The column lists come from the Exposed table objects, so they are
 * written once. Statements are prepared once and kept across commits. On PostgreSQL the rows go
 * through `COPY ... FROM STDIN` (pgjdbc's CopyManager, text format), which costs the server far
 * less than INSERTs, even the multi-row ones `reWriteBatchedInserts` makes (still used where a
 * conflict is ignored: COPY cannot), except the chunks: few rows of up to hundreds of kilobytes
 * each, which COPY's text format carries as hex that the writer builds and the server parses
 * (measured: 5-35 ms per commit of a /16 sweep on a loaded machine), while an INSERT's bytea
 * parameter travels as it is (pgjdbc binds byte arrays in binary). (Multi-row SQLite statements with the values as literals
 * were tried: parsing the text cost more than the binds it saved, and so did one statement per
 * batch over `json_each(?)`.)
 */
internal class BatchInserts(private val scanId: Long, private val dialect: Dialect) : AutoCloseable {
    private var connection: Connection? = null
    private val prepared = HashMap<Table, PreparedStatement>()
    private val updates = HashMap<String, PreparedStatement>()

    private fun insertInto(table: Table): String = "INSERT INTO ${table.tableName} (${table.columns.joinToString(", ") { it.name }}) VALUES "

    private fun conflict(ignoreDuplicates: Boolean) = if (ignoreDuplicates) " ON CONFLICT DO NOTHING" else ""

    /**
     * Writes [rows] with [values] giving each row's values in column order; [bytes]: the rows carry
     * a byte array (a chunk), bound in binary (never through COPY's text format).
     */
    private fun <R> insert(
        c: Connection, table: Table, rows: Collection<R>, ignoreDuplicates: Boolean, bytes: Boolean = false, values: (R, Values) -> Unit,
    ) {
        if (rows.isEmpty()) return
        if (dialect == Dialect.POSTGRESQL && !ignoreDuplicates && !bytes) return copy(c, table, rows, values)
        if (connection !== c) { close(); connection = c }
        val ps = prepared.getOrPut(table) {
            val marks = table.columns.joinToString(", ") { "?" }
            c.prepareStatement(insertInto(table) + "($marks)" + conflict(ignoreDuplicates))
        }
        val bind = Binds(ps)
        for (r in rows) { bind.i = 0; values(r, bind); ps.addBatch() }
        ps.executeBatch()
    }

    /** [insert] on PostgreSQL: one COPY of all [rows] in its text format. */
    private fun <R> copy(c: Connection, table: Table, rows: Collection<R>, values: (R, Values) -> Unit) {
        val text = CopyText(StringBuilder(rows.size * 64))
        for (r in rows) { text.first = true; values(r, text); text.out.append('\n') }
        val sql = "COPY ${table.tableName} (${table.columns.joinToString(", ") { it.name }}) FROM STDIN"
        c.unwrap(PGConnection::class.java).copyAPI.copyIn(sql, text.out.toString().byteInputStream(Charsets.UTF_8))
    }

    fun hosts(c: Connection, rows: Collection<HostRow>) = insert(c, Hosts, rows, false) { h, v ->
        v.long(scanId); v.int(h.hostNo); v.int(h.finishSeq); v.long(h.position)
        v.text(h.host.address.toString()); v.text(StoredText.encodeOrNull(h.host.name))
        hostState(h, v)
    }

    /** A host row's values from [Hosts.status] on (what an update sets too, after finish_seq and position). */
    private fun hostState(h: HostRow, v: Values) {
        v.text(h.status); v.text(StoredText.encode(h.reason)); v.text(StoredText.encodeOrNull(h.reverseName)); v.long(h.latencyMicros)
        v.long(h.startedAt); v.long(h.finishedAt); v.bool(h.timedOut); v.text(StoredText.encodeOrNull(h.error)); v.bool(h.complete)
        v.text(h.mac); v.text(h.hostnamesJson); v.text(h.osJson)
    }

    fun ports(c: Connection, rows: List<PortRow>) = insert(c, Ports, rows, false) { p, v ->
        v.long(scanId); v.int(p.hostNo); v.text(Codes.protocol(p.result.protocol)); v.int(p.result.port)
        portState(p, v)
    }

    /** A port row's values from [Ports.state] on (what an update sets). */
    private fun portState(p: PortRow, v: Values) {
        val r = p.result
        v.text(r.state.label); v.text(StoredText.encode(r.reason)); v.text(StoredText.encodeOrNull(r.service)); v.long(r.rttMicros)
        v.text(Codes.service(r.serviceInfo))
    }

    fun chunks(c: Connection, rows: List<ChunkRow>) = insert(c, PortChunkRows, rows, false, bytes = true) { r, v ->
        v.long(scanId); v.int(r.hostNo); v.int(r.seq); v.bytes(r.data)
    }

    fun hostChunks(c: Connection, rows: List<HostChunkRow>) = insert(c, HostChunkRows, rows, false, bytes = true) { r, v ->
        v.long(scanId); v.int(r.firstSeq); v.int(r.lastSeq); v.int(r.maxHostNo); v.int(r.hostsUp); v.int(r.hostsDown); v.int(r.openPorts)
        v.bytes(r.data)
    }

    fun scripts(c: Connection, rows: List<ScriptRow>) = insert(c, Scripts, rows, true) { s, v ->
        v.long(scanId); v.int(s.hostNo); v.text(s.protocol); v.int(s.port); v.int(s.seq)
        v.text(StoredText.encode(s.script.id)); v.text(StoredText.encode(s.script.output)); v.text(Codes.elements(s.script.elements))
    }

    /**
     * Updates [rows] of the scan in [table] (its rows by [scan] and [key]) in one batch: [values]
     * gives a row's values of [set], [keys] its values of [key], each in that order.
     */
    private fun <R> update(
        c: Connection, table: Table, set: List<Column<*>>, scan: Column<*>, key: List<Column<*>>, rows: Collection<R>,
        values: (R, Values) -> Unit, keys: (R, Values) -> Unit,
    ) {
        if (rows.isEmpty()) return
        val where = (listOf(scan) + key).joinToString(" AND ") { "${it.name} = ?" }
        val ps = statement(c, "UPDATE ${table.tableName} SET ${set.joinToString(", ") { "${it.name} = ?" }} WHERE $where")
        val bind = Binds(ps)
        for (r in rows) {
            bind.i = 0
            values(r, bind)
            bind.long(scanId)
            keys(r, bind)
            ps.addBatch()
        }
        ps.executeBatch()
    }

    /** Updates stored hosts (a host committed while it was scanned, now finished). */
    fun updateHosts(c: Connection, rows: Collection<HostRow>) = with(Hosts) {
        val set = listOf(finishSeq, position, status, reason, reverseName, latencyMicros, startedAt, finishedAt, timedOut, error, complete, mac, hostnamesJson, osJson)
        update(c, this, set, scanId, listOf(hostNo), rows, { h, v -> v.int(h.finishSeq); v.long(h.position); hostState(h, v) }) { h, v -> v.int(h.hostNo) }
    }

    /** Updates stored port rows (a port decided again: service detection, scripts). */
    fun updatePorts(c: Connection, rows: Collection<PortRow>) = with(Ports) {
        update(c, this, listOf(state, reason, service, rttMicros, serviceJson), scanId, listOf(hostNo, protocol, port), rows, ::portState) { p, v ->
            v.int(p.hostNo); v.text(Codes.protocol(p.result.protocol)); v.int(p.result.port)
        }
    }

    /** Deletes the scan's row (and, by the schema's cascades, everything stored of it). */
    fun deleteScan(c: Connection) {
        statement(c, "DELETE FROM ${Scans.tableName} WHERE ${Scans.id.name} = ?").run { setLong(1, scanId); executeUpdate() }
    }

    /**
     * Sets [values] (column and value, none null) on the scan's row: the heartbeat every commit,
     * the totals at the end. A statement per set of columns, prepared once.
     */
    fun updateScan(c: Connection, values: List<Pair<Column<*>, Any>>) {
        val ps = statement(c, "UPDATE ${Scans.tableName} SET ${values.joinToString(", ") { "${it.first.name} = ?" }} WHERE ${Scans.id.name} = ?")
        values.forEachIndexed { i, (_, v) -> ps.setObject(i + 1, v) }
        ps.setLong(values.size + 1, scanId)
        ps.executeUpdate()
    }

    /** Replaces the scan's checkpoint (only the last one is kept). */
    fun replaceCheckpoint(c: Connection, seq: Int, atMillis: Long, position: Long, json: String) {
        val t = Checkpoints
        statement(c, "DELETE FROM ${t.tableName} WHERE ${t.scanId.name} = ?").run { setLong(1, scanId); executeUpdate() }
        statement(c, insertInto(t) + "(?, ?, ?, ?, ?)").run {
            setLong(1, scanId); setInt(2, seq); setLong(3, atMillis); setLong(4, position); setString(5, json)
            executeUpdate()
        }
    }

    /** The scan's open ports: its port rows' and its host chunks'. */
    fun openPorts(c: Connection): Long {
        val sql = "SELECT (SELECT COUNT(*) FROM ${Ports.tableName} WHERE ${Ports.scanId.name} = ? AND ${Ports.state.name} = ?)" +
            " + (SELECT COALESCE(SUM(${HostChunkRows.openPorts.name}), 0) FROM ${HostChunkRows.tableName} WHERE ${HostChunkRows.scanId.name} = ?)"
        return statement(c, sql).run {
            setLong(1, scanId); setString(2, dev.kmap.engine.PortState.OPEN.label); setLong(3, scanId)
            executeQuery().use { r -> r.next(); r.getLong(1) }
        }
    }

    /** Inserts or replaces the learned timing of each network of [rows]. */
    fun upsertTimings(c: Connection, rows: List<dev.kmap.store.NetworkTiming>) {
        val t = NetworkTimings
        val set = listOf(t.srttMicros, t.rttvarMicros, t.loss, t.samples, t.updatedAt, t.scanId).joinToString(", ") { "${it.name} = excluded.${it.name}" }
        c.prepareStatement(insertInto(t) + "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (${t.network.name}) DO UPDATE SET $set").use { ps ->
            for (r in rows) {
                ps.setString(1, r.network); ps.setLong(2, r.srttMicros); ps.setLong(3, r.rttvarMicros); ps.setDouble(4, r.loss)
                ps.setLong(5, r.samples); ps.setLong(6, r.updatedAtMillis); ps.setLong(7, scanId)
                ps.addBatch()
            }
            ps.executeBatch()
        }
    }

    private fun statement(c: Connection, sql: String): PreparedStatement {
        if (connection !== c) { close(); connection = c }
        return updates.getOrPut(sql) { c.prepareStatement(sql) }
    }

    override fun close() {
        prepared.values.forEach { runCatching { it.close() } }
        prepared.clear()
        updates.values.forEach { runCatching { it.close() } }
        updates.clear()
    }

    /** One row's values, in column order. */
    private interface Values {
        fun long(v: Long?)
        fun int(v: Int?)
        fun bool(v: Boolean)
        fun text(v: String?)
        fun bytes(v: ByteArray)
    }

    /** One row of COPY's text format: tab-separated, `\N` for null, backslash escapes. */
    private class CopyText(val out: StringBuilder) : Values {
        var first = true

        private fun next(): StringBuilder { if (!first) out.append('\t'); first = false; return out }
        override fun long(v: Long?) { if (v == null) next().append("\\N") else next().append(v) }
        override fun int(v: Int?) { if (v == null) next().append("\\N") else next().append(v) }
        override fun bool(v: Boolean) { next().append(if (v) 't' else 'f') }
        override fun text(v: String?) {
            val o = next()
            if (v == null) { o.append("\\N"); return }
            for (ch in v) {
                when (ch) {
                    '\\' -> o.append("\\\\")
                    '\n' -> o.append("\\n")
                    '\r' -> o.append("\\r")
                    '\t' -> o.append("\\t")
                    else -> o.append(ch)
                }
            }
        }
        override fun bytes(v: ByteArray) {
            // bytea in hex, its backslash escaped for COPY
            HexFormat.of().formatHex(next().append("\\\\x"), v)
        }
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
