package dev.kmap.store.internal

import dev.kmap.store.NetworkTiming
import org.jetbrains.exposed.v1.core.Column
import java.io.File
import java.sql.Connection
import java.util.UUID

/**
 * What a scan asks of its store before its first packet (the learned timing, the new scan row,
 * the shard group to join), in plain JDBC on [StoreDatabase.jdbc]: Exposed's first transaction
 * (its dialect, the driver's metadata, a SecureRandom for the transaction id) costs tens of
 * milliseconds on a cold JVM, which the scan would wait for. The table and column names come from
 * [Scans] and [NetworkTimings], as everywhere else.
 */
internal object StartQueries {
    /** The columns a new scan row sets, in the order of [insertScan]'s values. */
    private val scanColumns: List<Column<*>> = with(Scans) {
        listOf(
            groupId, shardIndex, shardCount, planHash, status, startedAt, heartbeatAt, process, planJson, commandLine, kmapVersion,
            optionsJson, targets, targetCount, hostsUp, hostsDown, hostsTotal, probesSent, openPorts,
        )
    }

    private val insertScanSql = "INSERT INTO ${Scans.tableName} (${scanColumns.joinToString(", ") { it.name }}) " +
        "VALUES (${scanColumns.joinToString(", ") { "?" }}) RETURNING ${Scans.id.name}"

    /** Inserts a scan row with [values] for [scanColumns] (counters at 0); returns its id. */
    fun insertScan(c: Connection, values: ScanRowValues): Long {
        val v = with(values) {
            listOf<Any>(
                groupId, shardIndex, shardCount, planHash, status, startedAt, startedAt, process, planJson, commandLine, kmapVersion,
                optionsJson, targets, 0L, 0L, 0L, 0L, 0L, 0L,
            )
        }
        check(v.size == scanColumns.size)
        return c.prepareStatement(insertScanSql).use { ps ->
            v.forEachIndexed { i, x -> ps.setObject(i + 1, x) }
            ps.executeQuery().use { r -> if (r.next()) r.getLong(1) else throw java.sql.SQLException("INSERT … RETURNING returned no row") }
        }
    }

    /** A new scan row's own values (the counters start at 0, the heartbeat at the start). */
    class ScanRowValues(
        val groupId: String,
        val shardIndex: Int,
        val shardCount: Int,
        val planHash: String,
        val status: String,
        val startedAt: Long,
        val process: String,
        val planJson: String,
        val commandLine: String,
        val kmapVersion: String,
        val optionsJson: String,
        val targets: String,
    )

    /**
     * The newest scan group of plan [hash] split in [count] shards that was active after [since] and
     * has no shard [index] yet, or null.
     */
    fun joinableGroup(c: Connection, hash: String, index: Int, count: Int, since: Long): String? {
        val newest = c.prepareStatement(
            "SELECT ${Scans.groupId.name} FROM ${Scans.tableName} WHERE ${Scans.planHash.name} = ? AND ${Scans.shardCount.name} = ? " +
                "AND ${Scans.heartbeatAt.name} > ? ORDER BY ${Scans.id.name} DESC LIMIT 1",
        ).use { ps ->
            ps.setString(1, hash)
            ps.setInt(2, count)
            ps.setLong(3, since)
            ps.executeQuery().use { r -> if (r.next()) r.getString(1) else null }
        } ?: return null
        val taken = c.prepareStatement("SELECT ${Scans.shardIndex.name} FROM ${Scans.tableName} WHERE ${Scans.groupId.name} = ?").use { ps ->
            ps.setString(1, newest)
            ps.executeQuery().use { r -> buildSet { while (r.next()) add(r.getInt(1)) } }
        }
        return if (index in taken) null else newest
    }

    /** What earlier scans learned about network [net] (see [TimingSamples.network]), or null. */
    fun learnedTiming(c: Connection, net: String): NetworkTiming? = learnedTimings(c, listOf(net))[net]

    /** What earlier scans learned about [networks], by network (those never seen are missing). */
    fun learnedTimings(c: Connection, networks: List<String>): Map<String, NetworkTiming> = with(NetworkTimings) {
        val known = HashMap<String, NetworkTiming>()
        for (chunk in networks.chunked(500)) {
            val sql = "SELECT ${network.name}, ${srttMicros.name}, ${rttvarMicros.name}, ${loss.name}, ${samples.name}, ${updatedAt.name} " +
                "FROM $tableName WHERE ${network.name} IN (${chunk.joinToString(", ") { "?" }})"
            c.prepareStatement(sql).use { ps ->
                chunk.forEachIndexed { i, n -> ps.setString(i + 1, n) }
                ps.executeQuery().use { r ->
                    while (r.next()) known[r.getString(1)] = NetworkTiming(r.getString(1), r.getLong(2), r.getLong(3), r.getDouble(4), r.getLong(5), r.getLong(6))
                }
            }
        }
        known
    }

    /**
     * A random (version 4) UUID for a new scan group, its bits from the kernel (`/dev/urandom`)
     * rather than a `SecureRandom`, whose set-up the scan would wait for; where there is no
     * `/dev/urandom`, [UUID.randomUUID].
     */
    fun newGroupId(): String {
        val b = runCatching { File("/dev/urandom").inputStream().use { it.readNBytes(16) } }.getOrNull()
        if (b == null || b.size != 16) return UUID.randomUUID().toString()
        b[6] = (b[6].toInt() and 0x0f or 0x40).toByte() // version 4
        b[8] = (b[8].toInt() and 0x3f or 0x80).toByte() // IETF variant
        var msb = 0L
        var lsb = 0L
        for (i in 0 until 8) msb = msb shl 8 or (b[i].toLong() and 0xff)
        for (i in 8 until 16) lsb = lsb shl 8 or (b[i].toLong() and 0xff)
        return UUID(msb, lsb).toString()
    }
}
