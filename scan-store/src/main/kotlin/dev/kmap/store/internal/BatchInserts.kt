package dev.kmap.store.internal

import org.jetbrains.exposed.v1.core.Table
import java.sql.Connection
import java.sql.PreparedStatement
import java.sql.Types

/**
 * The writer's hot path: plain JDBC batches of prepared statements (kept open across commits)
 * for the rows a scan streams, hosts, ports and scripts. Exposed's `batchInsert` builds a
 * statement object per row, about ten times the cost (measured: 65535 port rows in ~1.5 s with
 * Exposed, ~0.1 s this way), and a 65535-port scan must not wait for its store. The SQL is made
 * from the Exposed table objects, so the column lists are written once.
 */
internal class BatchInserts(private val scanId: Long) : AutoCloseable {
    private var connection: Connection? = null
    private var hosts: PreparedStatement? = null
    private var ports: PreparedStatement? = null
    private var scripts: PreparedStatement? = null

    private fun statement(c: Connection, table: Table, ignoreDuplicates: Boolean, current: PreparedStatement?): PreparedStatement {
        if (connection !== c) { close(); connection = c }
        current?.let { return it }
        val columns = table.columns.joinToString(", ") { it.name }
        val marks = table.columns.joinToString(", ") { "?" }
        val conflict = if (ignoreDuplicates) " ON CONFLICT DO NOTHING" else ""
        return c.prepareStatement("INSERT INTO ${table.tableName} ($columns) VALUES ($marks)$conflict")
    }

    fun hosts(c: Connection, rows: Collection<HostRow>) {
        if (rows.isEmpty()) return
        val ps = statement(c, Hosts, false, hosts).also { hosts = it }
        for (h in rows) {
            ps.setLong(1, scanId)
            ps.setInt(2, h.hostNo)
            ps.setIntOrNull(3, h.finishSeq)
            ps.setLongOrNull(4, h.position)
            ps.setString(5, h.host.address.toString())
            ps.setString(6, StoredText.encodeOrNull(h.host.name))
            ps.setString(7, h.status)
            ps.setString(8, StoredText.encode(h.reason))
            ps.setString(9, StoredText.encodeOrNull(h.reverseName))
            ps.setLongOrNull(10, h.latencyMicros)
            ps.setLong(11, h.startedAt)
            ps.setLong(12, h.finishedAt)
            ps.setBoolean(13, h.timedOut)
            ps.setString(14, StoredText.encodeOrNull(h.error))
            ps.setBoolean(15, h.complete)
            ps.addBatch()
        }
        ps.executeBatch()
    }

    fun ports(c: Connection, rows: List<PortRow>) {
        if (rows.isEmpty()) return
        val ps = statement(c, Ports, false, ports).also { ports = it }
        for (p in rows) {
            val r = p.result
            ps.setLong(1, scanId)
            ps.setInt(2, p.hostNo)
            ps.setString(3, r.protocol.label)
            ps.setInt(4, r.port)
            ps.setString(5, r.state.label)
            ps.setString(6, StoredText.encode(r.reason))
            ps.setString(7, StoredText.encodeOrNull(r.service))
            ps.setLongOrNull(8, r.rttMicros)
            ps.addBatch()
        }
        ps.executeBatch()
    }

    fun scripts(c: Connection, rows: List<ScriptRow>) {
        if (rows.isEmpty()) return
        val ps = statement(c, Scripts, true, scripts).also { scripts = it }
        for (s in rows) {
            ps.setLong(1, scanId)
            ps.setInt(2, s.hostNo)
            ps.setString(3, s.protocol)
            ps.setInt(4, s.port)
            ps.setInt(5, s.seq)
            ps.setString(6, StoredText.encode(s.script.id))
            ps.setString(7, StoredText.encode(s.script.output))
            ps.setString(8, Codes.elements(s.script.elements))
            ps.addBatch()
        }
        ps.executeBatch()
    }

    override fun close() {
        listOfNotNull(hosts, ports, scripts).forEach { runCatching { it.close() } }
        hosts = null; ports = null; scripts = null
    }

    private fun PreparedStatement.setIntOrNull(i: Int, v: Int?) = if (v == null) setNull(i, Types.INTEGER) else setInt(i, v)
    private fun PreparedStatement.setLongOrNull(i: Int, v: Long?) = if (v == null) setNull(i, Types.BIGINT) else setLong(i, v)
}
