package dev.kmap.store.internal

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.Shard
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanCheckpoint
import dev.kmap.engine.ScanStats
import dev.kmap.engine.ScriptOutput
import dev.kmap.report.Violation
import dev.kmap.store.RecordSettings
import dev.kmap.store.ScanStatus
import dev.kmap.store.ScanSummary
import dev.kmap.store.StoreException
import dev.kmap.store.StoredScan
import kotlinx.serialization.builtins.ListSerializer
import kotlinx.serialization.json.Json
import org.jetbrains.exposed.v1.core.Op
import org.jetbrains.exposed.v1.core.ResultRow
import org.jetbrains.exposed.v1.core.SortOrder
import org.jetbrains.exposed.v1.core.and
import org.jetbrains.exposed.v1.core.count
import org.jetbrains.exposed.v1.core.eq
import org.jetbrains.exposed.v1.core.greater
import org.jetbrains.exposed.v1.core.inList
import org.jetbrains.exposed.v1.core.isNotNull
import org.jetbrains.exposed.v1.core.lessEq
import org.jetbrains.exposed.v1.core.sum
import org.jetbrains.exposed.v1.jdbc.select
import org.jetbrains.exposed.v1.jdbc.selectAll

/** Reads stored scans back: summaries for `history`, whole scans for `show`, `diff` and resume. */
internal class ScanReader(private val store: StoreDatabase) {
    private val json = Json { ignoreUnknownKeys = true }

    /** The scan rows of the group that [id] belongs to, in shard order; raises if there is none. */
    fun groupRows(id: Long): List<ResultRow> = store.tx("reading scan $id") {
        val row = Scans.selectAll().where { Scans.id eq id }.firstOrNull()
            ?: throw StoreException("no scan $id in store ${store.shownUrl} (kmap history lists the stored scans)")
        Scans.selectAll().where { Scans.groupId eq row[Scans.groupId] }.orderBy(Scans.shardIndex).toList()
    }

    fun summaries(limit: Int): List<ScanSummary> {
        val rows = store.tx("reading the history") {
            Scans.select(SUMMARY_COLUMNS).orderBy(Scans.id, SortOrder.DESC).limit(limit).toList()
        }
        val now = System.currentTimeMillis()
        return rows.groupBy { it[Scans.groupId] }.values.map { summary(it.sortedBy { r -> r[Scans.shardIndex] }, now) }
            .sortedByDescending { it.id }
    }

    fun summary(rows: List<ResultRow>, now: Long = System.currentTimeMillis()): ScanSummary {
        val first = rows.first()
        val statuses = rows.map { status(it, now) }
        val count = first[Scans.shardCount]
        val status = when {
            ScanStatus.RUNNING in statuses -> ScanStatus.RUNNING
            ScanStatus.ABORTED in statuses -> ScanStatus.ABORTED
            ScanStatus.FAILED in statuses -> ScanStatus.FAILED
            ScanStatus.INTERRUPTED in statuses || rows.size < count -> ScanStatus.INTERRUPTED
            else -> ScanStatus.COMPLETED
        }
        val finished = rows.map { it[Scans.finishedAt] }
        return ScanSummary(
            id = rows.minOf { it[Scans.id] },
            groupId = first[Scans.groupId],
            scanIds = rows.map { it[Scans.id] },
            shards = rows.size,
            shardCount = count,
            status = status,
            startedAtMillis = rows.minOf { it[Scans.startedAt] },
            finishedAtMillis = if (finished.any { it == null }) null else finished.maxOf { it!! },
            targets = first[Scans.targets],
            hostsUp = rows.sumOf { it[Scans.hostsUp] },
            hostsDown = rows.sumOf { it[Scans.hostsDown] },
            openPorts = rows.sumOf { it[Scans.openPorts] },
            commandLine = if (rows.size == 1) first[Scans.commandLine] else first[Scans.commandLine].replace(SHARD_WORD, ""),
            version = first[Scans.kmapVersion],
        )
    }

    private fun status(row: ResultRow, now: Long): ScanStatus {
        val s = ScanStatus.ofLabel(row[Scans.status])
        if (s != ScanStatus.RUNNING) return s
        // a scan of this machine whose process is gone, or any scan whose writer went silent, was aborted
        val dead = ProcessId.isDeadHere(row[Scans.process]) || now - row[Scans.heartbeatAt] > ScanWriter.STALE_MILLIS
        return if (dead) ScanStatus.ABORTED else s
    }

    fun load(id: Long, group: Boolean): StoredScan {
        val rows = groupRows(id).let { all -> if (group) all else all.filter { it[Scans.id] == id } }
        val first = rows.first()
        val summary = summary(rows)
        val plan = try {
            ScanPlan.fromJson(first[Scans.planJson])
        } catch (e: RuntimeException) {
            throw StoreException("scan $id in store ${store.shownUrl} has an unreadable plan: ${e.message}")
        }
        val settings = try {
            json.decodeFromString(RecordSettings.serializer(), first[Scans.optionsJson])
        } catch (e: RuntimeException) {
            throw StoreException("scan $id in store ${store.shownUrl} has unreadable settings: ${e.message?.lineSequence()?.first()}")
        }
        val expectations = first[Scans.expectationsJson]?.let { Expectations.fromJson(it) }
        val violations = rows.flatMap { r ->
            r[Scans.violationsJson]?.let { json.decodeFromString(ListSerializer(Violation.serializer()), it) }.orEmpty()
        }
        val whole = if (rows.size > 1) plan.copy(targets = plan.targets.copy(shard = Shard.WHOLE)) else plan
        return StoredScan(summary, whole, settings, stats(rows), expectations, violations, this)
    }

    private fun stats(rows: List<ResultRow>): ScanStats {
        val now = System.currentTimeMillis()
        var up = 0L
        var down = 0L
        for (r in rows) {
            if (r[Scans.finishedAt] != null) { up += r[Scans.hostsUp]; down += r[Scans.hostsDown]; continue }
            // never finished: count what was stored
            val (u, d) = hostCounts(r[Scans.id])
            up += u; down += d
        }
        val interrupted = rows.any { status(it, now) != ScanStatus.COMPLETED } || rows.size < rows.first()[Scans.shardCount]
        return ScanStats(
            startedAtMillis = rows.minOf { it[Scans.startedAt] },
            finishedAtMillis = rows.maxOf { it[Scans.finishedAt] ?: it[Scans.heartbeatAt] },
            hostsUp = up,
            hostsDown = down,
            hostsTotal = rows.sumOf { it[Scans.hostsTotal] },
            probesSent = rows.sumOf { it[Scans.probesSent] },
            interrupted = interrupted,
            probesUnanswered = rows.sumOf { it[Scans.probesUnanswered] },
            reprobes = rows.sumOf { it[Scans.reprobes] },
            reprobesAnswered = rows.sumOf { it[Scans.reprobesAnswered] },
            rateLowered = rows.any { it[Scans.rateLowered] },
        )
    }

    private fun hostCounts(scanId: Long): Pair<Long, Long> = store.tx("reading scan $scanId") {
        val n = Hosts.hostNo.count()
        val counts = Hosts.select(Hosts.status, n).where { (Hosts.scanId eq scanId) and Hosts.finishSeq.isNotNull() }
            .groupBy(Hosts.status).associate { it[Hosts.status] to it[n] }
        val up = HostChunkRows.hostsUp.sum()
        val down = HostChunkRows.hostsDown.sum()
        val chunked = HostChunkRows.select(up, down).where { HostChunkRows.scanId eq scanId }.firstOrNull()
        (counts["up"] ?: 0L) + (chunked?.get(up) ?: 0) to (counts["down"] ?: 0L) + (chunked?.get(down) ?: 0)
    }

    /** Finished hosts of [scanIds], in finish order, a page at a time (one transaction per page). */
    fun finishedHosts(scanIds: List<Long>, completeOnly: Boolean = false): Sequence<HostResult> = sequence {
        for (scanId in scanIds) {
            val pageSize = pageSize(scanId)
            var after = -1
            while (true) {
                // host rows and chunked hosts share one finish order; a page ends at its last row or
                // at the end of the next host chunk, whichever comes first (one chunk at most per page)
                val page = store.tx("reading scan $scanId") {
                    val hosts = Hosts.selectAll()
                        .where { (Hosts.scanId eq scanId) and (Hosts.finishSeq greater after) and (if (completeOnly) Hosts.complete eq true else Op.TRUE) }
                        .orderBy(Hosts.finishSeq).limit(pageSize).toList()
                    val rows = assemble(scanId, hosts)
                    val chunkEnd = HostChunkRows.select(HostChunkRows.lastSeq)
                        .where { (HostChunkRows.scanId eq scanId) and (HostChunkRows.lastSeq greater after) }
                        .orderBy(HostChunkRows.firstSeq).limit(1).firstOrNull()?.get(HostChunkRows.lastSeq)
                    if (chunkEnd == null) return@tx rows
                    val upTo = minOf(chunkEnd, if (hosts.size < pageSize) Int.MAX_VALUE else rows.last().first)
                    val merged = ArrayList<Pair<Int, HostResult>>()
                    rows.filterTo(merged) { it.first <= upTo }
                    chunkedHosts(scanId, after, upTo, store.shownUrl) { merged += it.finishSeq to it.result }
                    merged.sortedBy { it.first }
                }
                if (page.isEmpty()) break
                yieldAll(page.map { it.second })
                after = page.last().first
            }
        }
    }

    /** The last engine checkpoint stored for scan row [scanId], or null (none reached the store). */
    fun checkpoint(scanId: Long): ScanCheckpoint? = store.tx("reading scan $scanId") {
        Checkpoints.select(Checkpoints.dataJson).where { Checkpoints.scanId eq scanId }
            .orderBy(Checkpoints.seq, SortOrder.DESC).limit(1).firstOrNull()?.get(Checkpoints.dataJson)
    }?.let { text ->
        try {
            ScanCheckpoint.fromJson(text)
        } catch (e: RuntimeException) {
            throw StoreException("scan $scanId in store ${store.shownUrl} has an unreadable checkpoint: ${e.message?.lineSequence()?.first()}")
        }
    }

    fun unfinishedHosts(scanIds: List<Long>): List<HostResult> = scanIds.flatMap { scanId ->
        store.tx("reading scan $scanId") {
            val hosts = Hosts.selectAll().where { (Hosts.scanId eq scanId) and (Hosts.complete eq false) }.orderBy(Hosts.hostNo).toList()
            assemble(scanId, hosts).map { it.second.copy(status = HostStatus.UNKNOWN) }
        }
    }

    /** Hosts with their ports and scripts; pairs of (finish_seq or -1, host). */
    private fun assemble(scanId: Long, hosts: List<ResultRow>): List<Pair<Int, HostResult>> {
        if (hosts.isEmpty()) return emptyList()
        val numbers = hosts.map { it[Hosts.hostNo] }
        val scripts = HashMap<Long, MutableList<ScriptOutput>>()
        for (chunk in numbers.chunked(IN_LIST)) {
            Scripts.selectAll().where { (Scripts.scanId eq scanId) and (Scripts.hostNo inList chunk) }
                .orderBy(Scripts.hostNo to SortOrder.ASC, Scripts.protocol to SortOrder.ASC, Scripts.port to SortOrder.ASC, Scripts.seq to SortOrder.ASC)
                .forEach { r -> scripts.getOrPut(scriptKey(r[Scripts.hostNo], r[Scripts.protocol], r[Scripts.port])) { ArrayList() } += RowReader.script(r) }
        }
        // chunks in commit order, later entries superseding earlier ones, then rows superseding both
        val ports = HashMap<Int, HashMap<Int, PortResult>>()
        for (chunk in numbers.chunked(IN_LIST)) {
            chunkedPorts(scanId, chunk, store.shownUrl) { no, p -> ports.getOrPut(no) { HashMap() }[Codes.portKey(p)] = p }
            Ports.selectAll().where { (Ports.scanId eq scanId) and (Ports.hostNo inList chunk) }.forEach { r ->
                val no = r[Ports.hostNo]
                val s = scripts[scriptKey(no, r[Ports.protocol], r[Ports.port])].orEmpty()
                val p = RowReader.port(r, s)
                ports.getOrPut(no) { HashMap() }[Codes.portKey(p)] = p
            }
        }
        return hosts.map { h ->
            val no = h[Hosts.hostNo]
            val list = ports[no]?.values?.sortedWith(PORT_ORDER) ?: emptyList()
            (h[Hosts.finishSeq] ?: -1) to RowReader.host(h, list, scripts[scriptKey(no, HOST_SCRIPT_PROTOCOL, 0)].orEmpty())
        }
    }

    /** Hosts per page: fewer when each host has many ports (a -p- scan reads one host at a time). */
    private fun pageSize(scanId: Long): Int {
        val ports = store.tx("reading scan $scanId") {
            Scans.select(Scans.planJson).where { Scans.id eq scanId }.firstOrNull()?.get(Scans.planJson)
        }?.let { runCatching { ScanPlan.fromJson(it) }.getOrNull() }?.ports?.let { p -> p.tcp.size + p.udp.size } ?: 1
        return (PAGE_PORTS / maxOf(1, ports)).coerceIn(1, PAGE_HOSTS)
    }

    private fun scriptKey(hostNo: Int, protocol: String, port: Int): Long =
        (hostNo.toLong() shl 20) or ((if (protocol == HOST_SCRIPT_PROTOCOL) 0L else if (protocol == "tcp") 1L else 2L) shl 17) or port.toLong()

    companion object {
        /**
         * Calls [each] with every port the chunks of hosts [hostNos] of scan [scanId] hold, host by
         * host in chunk order (a later entry of a port supersedes an earlier one). Inside a
         * transaction; a corrupt chunk is a [StoreException] naming it.
         */
        fun chunkedPorts(scanId: Long, hostNos: List<Int>, shownUrl: String, each: (hostNo: Int, port: PortResult) -> Unit) {
            PortChunkRows.selectAll().where { (PortChunkRows.scanId eq scanId) and (PortChunkRows.hostNo inList hostNos) }
                .orderBy(PortChunkRows.hostNo to SortOrder.ASC, PortChunkRows.seq to SortOrder.ASC)
                .forEach { r ->
                    val no = r[PortChunkRows.hostNo]
                    val what = "port chunk ${r[PortChunkRows.seq]} of host $no of scan $scanId in store $shownUrl"
                    for (p in PortChunks.decode(r[PortChunkRows.data], what)) each(no, p)
                }
        }

        /**
         * Calls [each] with every host the host chunks of scan [scanId] hold whose finish sequence
         * is above [after] and at most [upTo], in finish order within each chunk. Inside a
         * transaction; a corrupt chunk is a [StoreException] naming it.
         */
        fun chunkedHosts(scanId: Long, after: Int, upTo: Int, shownUrl: String, each: (HostChunks.Entry) -> Unit) {
            HostChunkRows.select(HostChunkRows.firstSeq, HostChunkRows.data)
                .where { (HostChunkRows.scanId eq scanId) and (HostChunkRows.lastSeq greater after) and (HostChunkRows.firstSeq lessEq upTo) }
                .orderBy(HostChunkRows.firstSeq)
                .forEach { r ->
                    val what = "host chunk ${r[HostChunkRows.firstSeq]} of scan $scanId in store $shownUrl"
                    for (h in HostChunks.decode(r[HostChunkRows.data], what)) if (h.finishSeq in (after + 1)..upTo) each(h)
                }
        }

        private const val PAGE_HOSTS = 512
        private const val PAGE_PORTS = 65_536
        private const val IN_LIST = 500
        private val SHARD_WORD = Regex(" --shard[= ]\\S+")
        private val PORT_ORDER: Comparator<PortResult> = Comparator { a, b ->
            if (a.protocol != b.protocol) a.protocol.compareTo(b.protocol) else a.port.compareTo(b.port)
        }
        private val SUMMARY_COLUMNS = listOf(
            Scans.id, Scans.groupId, Scans.shardIndex, Scans.shardCount, Scans.status, Scans.startedAt, Scans.finishedAt,
            Scans.heartbeatAt, Scans.process, Scans.targets, Scans.hostsUp, Scans.hostsDown, Scans.openPorts, Scans.commandLine, Scans.kmapVersion,
        )
    }
}
