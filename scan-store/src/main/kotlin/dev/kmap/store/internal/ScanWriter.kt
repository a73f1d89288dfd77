package dev.kmap.store.internal

import dev.kmap.dsl.Expectations
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanCheckpoint
import dev.kmap.engine.ScanEvent
import dev.kmap.report.Violation
import dev.kmap.store.ScanStatus
import dev.kmap.store.StoreException
import kotlinx.serialization.builtins.ListSerializer
import kotlinx.serialization.json.Json
import org.jetbrains.exposed.v1.core.Column
import org.jetbrains.exposed.v1.core.and
import org.jetbrains.exposed.v1.core.eq
import org.jetbrains.exposed.v1.core.max
import org.jetbrains.exposed.v1.jdbc.select
import org.jetbrains.exposed.v1.jdbc.selectAll
import java.io.File
import java.util.BitSet
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.LockSupport

/**
 * The writer thread of a [dev.kmap.store.ScanRecorder]. Events are turned into rows in memory
 * and committed together every [COMMIT_MILLIS] ms. A host gets its row when it finishes, or
 * earlier (status `scanning`) when ports of it are committed before it finishes (a long scan of
 * one host), so a resume finds those ports; its ports are written as they are decided: open ports
 * and ports with service detection or scripts as rows, the plain rest as one [PortChunks] chunk
 * per host per commit.
 * The queue is bounded: a store slower than the scan slows the scan's collector, never grows.
 */
internal class ScanWriter(
    private val db: StoreDatabase,
    private val scanId: Long,
    plan: ScanPlan,
    resumed: Boolean,
    private val onError: (StoreException) -> Unit,
) {
    class Checked(val expectations: Expectations, val violations: List<Violation>)
    private object End
    private object Heartbeat

    private class InFlight(val hostNo: Int, val host: Host, var persisted: Boolean) {
        private var table: PortTable? = null
        private var bits: BitSet? = null

        /** What was stored of each port, to store only changes. */
        val streamed: PortTable get() = table ?: PortTable().also { table = it }

        /** The ports (by [Codes.portKey]) stored as rows; the others are in chunks. */
        val rows: BitSet get() = bits ?: BitSet().also { bits = it }

        /** The ports reported since the last commit, in order: staged by the commit, unless the host finishes first. */
        var reported: ArrayList<PortResult>? = null

        /** The host's plain ports ([PortChunks.isPlain]) staged for the next commit, or null. */
        var chunk: PortChunks.Builder? = null
    }

    private val queue = LinkedBlockingQueue<Any>(QUEUE_CAPACITY)
    private val expectedPorts = PlanText.portsPerHost(plan)
    private val timing = TimingSamples(plan.timing.effectiveMaxRetries)

    @Volatile
    var failure: StoreException? = null
        private set

    private var nextHostNo = 0
    private var nextFinishSeq = 0
    private val inFlight = HashMap<Host, InFlight>()

    /** Hosts a resumed scan had finished: they are stored once (a resume replays them to its outputs). */
    private val finishedBefore = HashSet<Host>()

    // pending until the next commit
    private val hostInserts = LinkedHashMap<Int, HostRow>()
    private val hostUpdates = LinkedHashMap<Int, HostRow>()
    private val portInserts = ArrayList<PortRow>()
    private val portUpdates = ArrayList<PortRow>()

    /** The hosts with a [InFlight.chunk] staged: one chunk each at the next commit. */
    private val chunked = ArrayList<InFlight>()

    /** The host chunk of this commit ([HostChunks.fits] hosts that finished), and the ones already full. */
    private var hostChunk: HostChunks.Builder? = null
    private val hostChunkRows = ArrayList<HostChunkRow>()

    /** Hosts in flight with [InFlight.reported] ports. */
    private val reporting = ArrayList<InFlight>()

    /**
     * The host whose ports came last, when it has no [InFlight] record yet, and those ports (in
     * order): a sweep host's port and its end come one after the other, and such a host then needs
     * no record at all (65536 of them in a /16 sweep). Any other host's port, and every commit,
     * first turn it into a record ([flushPending]).
     */
    private var pendingHost: Host? = null
    private var pendingHostNo = 0
    private var pendingPorts = ArrayList<PortResult>()

    /** Chunks already closed (a host staged [PortChunks.MAX_PORTS] ports in one commit). */
    private val fullChunks = ArrayList<ChunkRow>()
    private var nextChunkSeq = 0
    private val scriptInserts = ArrayList<ScriptRow>()
    private var started: ScanEvent.Started? = null
    private var finished: ScanEvent.Finished? = null
    private var checked: Checked? = null
    private var checkpoint: ScanCheckpoint? = null
    private var checkpointSeq = 0
    private var sawFinished = false
    private var closing = false
    @Volatile private var discard = false

    // test hook (see holdForTest): "MARKER-FILE:PORTS"
    private val holdMarker: String? = System.getProperty(HOLD_PROPERTY)?.substringBeforeLast(':')
    private val holdAfterPorts: Long = System.getProperty(HOLD_PROPERTY)?.substringAfterLast(':')?.toLongOrNull() ?: 1
    private var portsWritten = 0L

    private val thread: Thread
    private val inserts = BatchInserts(scanId, db.dialect)

    init {
        if (resumed) restore()
        thread = Thread(::run, "kmap-store-writer").apply { isDaemon = true; start() }
    }

    /** Queues a message; waits while the queue is full (a slow store slows the scan, memory stays bounded). */
    fun put(message: Any) {
        if (failure != null) return
        while (!queue.offer(message, 100, TimeUnit.MILLISECONDS)) {
            if (failure != null || !thread.isAlive) return
        }
    }

    /** Writes what is queued, sets the final status, and waits for the writer to stop. */
    fun finish(discard: Boolean) {
        if (closing) return
        closing = true
        this.discard = discard
        while (thread.isAlive && !queue.offer(End, 100, TimeUnit.MILLISECONDS)) Unit
        thread.join()
    }

    private fun run() {
        val batch = ArrayList<Any>(1024)
        var lastCommit = System.nanoTime()
        var end = false
        while (!end) {
            // an idle scan still commits a heartbeat now and then: a silent row is a dead process
            val first = queue.poll(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS) ?: Heartbeat
            batch += first
            if (first !== End && first !== Heartbeat) {
                // gather what arrives until the commit is due, End or the scan's end comes, or the batch
                // is full: one transaction per COMMIT_MILLIS (a commit costs more than many rows), and
                // the writer naps between looks at the queue instead of waking for every event the
                // scan puts. The scan's end is committed at once: the process waits for that commit
                var from = 0
                val due = lastCommit + COMMIT_MILLIS * 1_000_000
                while (batch.size < MAX_BATCH) {
                    queue.drainTo(batch, MAX_BATCH - batch.size)
                    if (batch.size >= MAX_BATCH || ends(batch, from)) break
                    from = batch.size
                    val wait = due - System.nanoTime()
                    if (wait <= 0) break
                    LockSupport.parkNanos(minOf(wait, NAP_NANOS))
                }
            } else {
                queue.drainTo(batch, MAX_BATCH)
            }
            if (failure == null) {
                try {
                    for (m in batch) {
                        if (m === End) end = true else apply(m)
                    }
                    if (end && !sawFinished) markFailed()
                    // a scan that never started (its outputs were refused) leaves no trace in the history
                    if (end && discard) db.jdbc("removing scan $scanId") { inserts.deleteScan(it) } else commit(end)
                } catch (e: RuntimeException) {
                    // a result the store cannot hold stops the recording (once, in one line), never the scan
                    val f = e as? StoreException ?: StoreException("recording scan $scanId stopped: ${e.message?.lineSequence()?.firstOrNull() ?: e}")
                    failure = f
                    runCatching { onError(f) }
                    if (batch.any { it === End }) end = true
                }
            } else if (batch.any { it === End }) {
                end = true
            }
            batch.clear()
            lastCommit = System.nanoTime()
        }
        db.raw { inserts.close() }
    }

    /** Whether [batch] holds, from index [from] on, End or the scan's [ScanEvent.Finished]. */
    private fun ends(batch: List<Any>, from: Int): Boolean {
        for (i in from until batch.size) if (batch[i] === End || batch[i] is ScanEvent.Finished) return true
        return false
    }

    private fun apply(m: Any) {
        when (m) {
            is ScanEvent.Started -> started = m
            is ScanEvent.PortFound -> port(m.host, m.result)
            is ScanEvent.PortUpdated -> port(m.host, m.result)
            is ScanEvent.HostFinished -> {
                val r = m.result
                if (finishedBefore.isNotEmpty() && r.host in finishedBefore) return
                // its final ports supersede what it reported
                var pendingNo = -1
                val f = if (r.host == pendingHost) {
                    pendingHost = null
                    pendingPorts.clear()
                    pendingNo = pendingHostNo
                    null
                } else if (inFlight.isEmpty()) {
                    null
                } else {
                    inFlight.remove(r.host)?.also { it.reported = null }
                }
                val hostNo = f?.hostNo ?: if (pendingNo >= 0) pendingNo else nextHostNo++
                val seq = nextFinishSeq++
                val complete = complete(r)
                if (complete) timing.add(r)
                // nothing of a host that is not persisted is staged (its reports wait for the commit)
                if (complete && (f == null || !f.persisted) && HostChunks.fits(r)) {
                    val chunk = hostChunk ?: HostChunks.Builder().also { hostChunk = it }
                    chunk.add(hostNo, seq, r)
                    if (chunk.full) closeHostChunk()
                    return
                }
                if (f != null && f.persisted) hostUpdates[hostNo] = HostRow.of(hostNo, r, seq, complete) else hostInserts[hostNo] = HostRow.of(hostNo, r, seq, complete)
                val g = f ?: InFlight(hostNo, r.host, persisted = false)
                for (p in r.ports) finishPort(g, p)
                // a host a stopped scan cut short stays in flight for a resume (its row shows what was found)
                if (!complete) inFlight[r.host] = g
                r.hostScripts.forEachIndexed { i, script -> scriptInserts += ScriptRow(hostNo, HOST_SCRIPT_PROTOCOL, 0, i, script) }
            }
            is ScanEvent.Finished -> { finished = m; sawFinished = true }
            is Checked -> checked = m
            is ScanEvent.Checkpoint -> checkpoint = m.checkpoint
            else -> Unit
        }
    }

    /**
     * Stages port [p] of finished host [f] with its scripts: one call per port (see
     * [TimingSamples.add]: the loop over a 65535-port host runs once, after the scan's last packet).
     */
    private fun finishPort(f: InFlight, p: PortResult) {
        stage(f, p)
        if (p.scripts.isNotEmpty()) p.scripts.forEachIndexed { i, script -> scriptInserts += ScriptRow(f.hostNo, Codes.protocol(p.protocol), p.port, i, script) }
    }

    private fun closeHostChunk() {
        val c = hostChunk ?: return
        hostChunkRows += HostChunkRow(c.firstSeq, c.lastSeq, c.maxHostNo, c.up, c.down, c.open, c.toByteArray(), c.ports)
        hostChunk = null
    }

    /** Notes a port of a host in flight: the commit stages it, unless the host finishes first (most do, in a sweep). */
    private fun port(host: Host, result: PortResult) {
        if (finishedBefore.isNotEmpty() && host in finishedBefore) return
        if (host == pendingHost) {
            pendingPorts += result
            return
        }
        flushPending()
        val f = if (inFlight.isEmpty()) null else inFlight[host]
        if (f == null) {
            pendingHost = host
            pendingHostNo = nextHostNo++ // numbered at its first port, as a record would be
            pendingPorts += result
            return
        }
        (f.reported ?: ArrayList<PortResult>().also { f.reported = it; reporting += f }) += result
    }

    /** Gives the [pendingHost] its [InFlight] record, with its ports reported. */
    private fun flushPending() {
        val host = pendingHost ?: return
        pendingHost = null
        val f = InFlight(pendingHostNo, host, persisted = false)
        inFlight[host] = f
        f.reported = pendingPorts
        reporting += f
        pendingPorts = ArrayList()
    }

    /** Stages the ports reported by hosts still in flight, each with its host's provisional row (a resume continues them). */
    private fun stageReported(now: Long) {
        flushPending()
        for (f in reporting) {
            val ports = f.reported ?: continue // finished meanwhile
            f.reported = null
            for (p in ports) stage(f, p)
            if (!f.persisted && f.hostNo !in hostInserts) hostInserts[f.hostNo] = HostRow.provisional(f.hostNo, f.host, now)
        }
        reporting.clear()
    }

    /**
     * Stages port [p] of host [f] unless it is stored as it is: a port stored as a row (in
     * [InFlight.rows]) stays a row and is updated; a plain port goes into the host's next chunk;
     * any other port becomes a row (superseding what chunks hold of it).
     */
    private fun stage(f: InFlight, p: PortResult) {
        val before = f.streamed.put(p)
        if (before == p) return
        val k = Codes.portKey(p)
        when {
            f.rows[k] -> portUpdates += PortRow(f.hostNo, p)
            PortChunks.isPlain(p) -> {
                val chunk = f.chunk ?: PortChunks.Builder().also { f.chunk = it; chunked += f }
                if (chunk.count == PortChunks.MAX_PORTS) {
                    fullChunks += ChunkRow(f.hostNo, nextChunkSeq++, chunk.toByteArray())
                    f.chunk = PortChunks.Builder().also { it.add(p) }
                } else {
                    chunk.add(p)
                }
            }
            else -> { portInserts += PortRow(f.hostNo, p); f.rows.set(k) }
        }
    }

    private var failedStatus = false

    private fun markFailed() { failedStatus = true }

    private fun commit(end: Boolean) {
        val now = System.currentTimeMillis()
        stageReported(now)
        // plain JDBC, no Exposed: a recorded scan then loads and warms none of Exposed's transaction machinery
        db.jdbc("writing scan $scanId") { jdbc ->
            inserts.hosts(jdbc, hostInserts.values)
            inserts.ports(jdbc, portInserts)
            closeHostChunk()
            inserts.hostChunks(jdbc, hostChunkRows)
            var chunkedPorts = fullChunks.size * PortChunks.MAX_PORTS
            if (chunked.isNotEmpty()) {
                val seq = nextChunkSeq++
                for (f in chunked) {
                    val chunk = f.chunk!!
                    chunkedPorts += chunk.count
                    fullChunks += ChunkRow(f.hostNo, seq, chunk.toByteArray())
                    f.chunk = null
                }
                chunked.clear()
            }
            inserts.chunks(jdbc, fullChunks)
            holdForTest(portInserts.size + chunkedPorts + hostChunkRows.sumOf { it.ports })
            inserts.updatePorts(jdbc, portUpdates)
            inserts.updateHosts(jdbc, hostUpdates.values)
            inserts.scripts(jdbc, scriptInserts)
            checkpoint?.let { c -> inserts.replaceCheckpoint(jdbc, checkpointSeq++, now, c.position, c.toJson()) }
            inserts.updateScan(jdbc, scanColumns(jdbc, now, end))
        }
        // learned timing in a transaction of its own: it is a hint for the next scan, and shards of one
        // scan finishing together update the same networks (a deadlock there must not lose the scan)
        finished?.let { f ->
            try {
                db.jdbc("learning the timing of scan $scanId") { learn(it, timing.timings(f.stats, now)) }
            } catch (e: StoreException) {
                Unit
            }
        }
        for (h in hostInserts.values) if (h.finishSeq == null) inFlight[h.host]?.persisted = true
        hostInserts.clear(); hostUpdates.clear(); portInserts.clear(); portUpdates.clear(); fullChunks.clear(); scriptInserts.clear()
        hostChunkRows.clear()
        started = null; finished = null; checked = null; checkpoint = null
    }

    /** What this commit sets on the scan's row: the heartbeat, what came since the last commit, and at the end the open ports. */
    private fun scanColumns(jdbc: java.sql.Connection, now: Long, end: Boolean): List<Pair<Column<*>, Any>> {
        val set = LinkedHashMap<Column<*>, Any>() // a later value of a column replaces an earlier one
        set[Scans.heartbeatAt] = now
        started?.let { s ->
            set[Scans.startedAt] = s.startedAtMillis
            set[Scans.targetCount] = s.targetCount
            set[Scans.hostsTotal] = s.targetCount
        }
        checked?.let { c ->
            set[Scans.expectationsJson] = c.expectations.toJson()
            set[Scans.violationsJson] = listJson.encodeToString(ListSerializer(Violation.serializer()), c.violations)
        }
        val f = finished
        if (f != null) {
            val stats = f.stats
            set[Scans.status] = if (stats.interrupted) ScanStatus.INTERRUPTED.label else ScanStatus.COMPLETED.label
            set[Scans.finishedAt] = stats.finishedAtMillis
            set[Scans.hostsUp] = stats.hostsUp
            set[Scans.hostsDown] = stats.hostsDown
            set[Scans.hostsTotal] = stats.hostsTotal
            set[Scans.probesSent] = stats.probesSent
            set[Scans.probesUnanswered] = stats.probesUnanswered
            set[Scans.reprobes] = stats.reprobes
            set[Scans.reprobesAnswered] = stats.reprobesAnswered
            set[Scans.rateLowered] = stats.rateLowered
        } else if (end && failedStatus) {
            set[Scans.status] = ScanStatus.FAILED.label
            set[Scans.finishedAt] = now
        }
        if (f != null || (end && failedStatus)) set[Scans.openPorts] = inserts.openPorts(jdbc)
        return set.toList()
    }

    /** Blends this scan's timing into what the store knew of each network (half each). */
    private fun learn(c: java.sql.Connection, measured: List<dev.kmap.store.NetworkTiming>) {
        if (measured.isEmpty()) return
        db.writeFirst(c)
        val timings = measured.sortedBy { it.network } // one lock order for every writer
        val known = StartQueries.learnedTimings(c, timings.map { it.network })
        inserts.upsertTimings(
            c,
            timings.map { t ->
                val old = known[t.network] ?: return@map t
                t.copy(
                    srttMicros = (old.srttMicros + t.srttMicros) / 2,
                    rttvarMicros = (old.rttvarMicros + t.rttvarMicros) / 2,
                    loss = (old.loss + t.loss) / 2,
                    samples = t.samples + old.samples,
                )
            },
        )
    }

    /**
     * Whether [r] is final: down, unresolved, timed out (`--host-timeout`), or every planned port
     * decided. A stopped scan reports the hosts it cut short with the ports found so far (up) or
     * as unknown: those are continued by a resume.
     */
    private fun complete(r: HostResult): Boolean = when {
        r.error != null || r.status == HostStatus.DOWN || r.timedOut -> true
        r.status == HostStatus.UNKNOWN -> false
        else -> r.ports.size >= expectedPorts
    }

    /** A resumed scan continues its numbering, and its unfinished hosts keep their rows and ports. */
    private fun restore() {
        db.tx("reading scan $scanId") {
            val maxNo = Hosts.hostNo.max()
            val maxSeq = Hosts.finishSeq.max()
            Hosts.select(maxNo, maxSeq).where { Hosts.scanId eq scanId }.firstOrNull()?.let { r ->
                nextHostNo = (r[maxNo] ?: -1) + 1
                nextFinishSeq = (r[maxSeq] ?: -1) + 1
            }
            Hosts.select(Hosts.address, Hosts.name).where { (Hosts.scanId eq scanId) and (Hosts.complete eq true) }.forEach { row ->
                finishedBefore += Host(dev.kmap.dsl.IpAddress.parse(row[Hosts.address]), StoredText.decodeOrNull(row[Hosts.name]))
            }
            val scanning = Hosts.selectAll().where { (Hosts.scanId eq scanId) and (Hosts.complete eq false) }.map { row ->
                row[Hosts.hostNo] to RowReader.host(row, emptyList(), emptyList()).host
            }
            val maxChunkHostNo = HostChunkRows.maxHostNo.max()
            val maxChunkSeq = HostChunkRows.lastSeq.max()
            HostChunkRows.select(maxChunkHostNo, maxChunkSeq).where { HostChunkRows.scanId eq scanId }.firstOrNull()?.let { r ->
                nextHostNo = maxOf(nextHostNo, (r[maxChunkHostNo] ?: -1) + 1)
                nextFinishSeq = maxOf(nextFinishSeq, (r[maxChunkSeq] ?: -1) + 1)
            }
            ScanReader.chunkedHosts(scanId, -1, Int.MAX_VALUE, this@ScanWriter.db.shownUrl) { finishedBefore += it.result.host }
            val chunkSeq = PortChunkRows.seq.max()
            PortChunkRows.select(chunkSeq).where { PortChunkRows.scanId eq scanId }.firstOrNull()?.get(chunkSeq)?.let { nextChunkSeq = it + 1 }
            for ((no, host) in scanning) {
                val f = InFlight(no, host, persisted = true)
                ScanReader.chunkedPorts(scanId, listOf(no), this@ScanWriter.db.shownUrl) { _, p -> f.streamed.put(p) }
                Ports.selectAll().where { (Ports.scanId eq scanId) and (Ports.hostNo eq no) }.forEach { row ->
                    val p = RowReader.port(row, emptyList())
                    f.streamed.put(p)
                    f.rows.set(Codes.portKey(p))
                }
                inFlight[host] = f
            }
        }
    }

    /**
     * Test hook: with the system property [HOLD_PROPERTY] = `MARKER:N`, the first transaction that
     * brings the port rows written to N or more writes MARKER and sleeps inside the open
     * transaction, so a test can `kill -9` the process mid-transaction.
     */
    private fun holdForTest(ports: Int) {
        portsWritten += ports
        val marker = holdMarker ?: return
        if (ports == 0 || portsWritten < holdAfterPorts) return
        File(marker).writeText("holding scan $scanId with $ports uncommitted port rows\n")
        Thread.sleep(Long.MAX_VALUE)
    }

    companion object {
        /** How often the writer commits (ms): at most this much of a killed scan is lost. */
        const val COMMIT_MILLIS = 50L

        /** The longest a running scan's row goes without a commit; see [STALE_MILLIS]. */
        const val HEARTBEAT_MILLIS = 5_000L

        /** A running scan whose heartbeat is older than this has lost its process (aborted). */
        const val STALE_MILLIS = 3 * HEARTBEAT_MILLIS
        private const val QUEUE_CAPACITY = 1 shl 16

        /** The most messages one transaction takes (memory stays bounded when events outrun the commits). */
        private const val MAX_BATCH = QUEUE_CAPACITY

        /** The writer's nap while it gathers a transaction: [finish] waits at most this long for it to see End. */
        private const val NAP_NANOS = 5_000_000L
        private val listJson = Json
        const val HOLD_PROPERTY = "kmap.store.test.holdInTransaction"
    }
}
