package dev.kmap.store

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.ScanPlan
import dev.kmap.store.internal.Dialect
import dev.kmap.store.internal.Differ
import dev.kmap.store.internal.PlanText
import dev.kmap.store.internal.ProcessId
import dev.kmap.store.internal.Redaction
import dev.kmap.store.internal.ScanReader
import dev.kmap.store.internal.Scans
import dev.kmap.store.internal.StartQueries
import dev.kmap.store.internal.StoreDatabase
import dev.kmap.store.internal.StoreUrls
import dev.kmap.store.internal.TimingSamples
import kotlinx.serialization.json.Json
import org.jetbrains.exposed.v1.core.eq
import org.jetbrains.exposed.v1.core.inList
import org.jetbrains.exposed.v1.jdbc.deleteWhere
import org.jetbrains.exposed.v1.jdbc.update

/**
 * Scan history on a database: SQLite (a file; the default is `~/.kmap/kmap.db`) or PostgreSQL
 * (for teams, and for shards on many machines writing one scan). Every scan is [record]ed as it
 * runs; stored scans are listed ([history]), read back ([load]), compared ([diff]), removed
 * ([delete]) and continued ([resume]).
 *
 * [open] creates the database or brings its schema up to date (versioned migrations); a file
 * that is not a kmap database, a schema from a newer kmap, a locked database or an unreachable
 * server raise a [StoreException] with one line, before anything is written. One [ScanStore] is
 * one connection: it may be shared by threads, which take turns.
 *
 * ```kotlin
 * ScanStore.open("jdbc:sqlite:scans.db").use { store ->
 *     val recorder = store.record(plan, RecordSettings(commandLine = "kmap -sT 10.0.0.0/24"))
 *     scanFlow(plan).collect(recorder::accept)
 *     recorder.close()
 *     println(store.diff(store.history()[1].id, recorder.scanId).toText())
 * }
 * ```
 */
public class ScanStore private constructor(private val store: StoreDatabase) : AutoCloseable {
    private val reader = ScanReader(store)

    /** Where this store is, passwords left out. */
    public val url: String get() = store.shownUrl

    /**
     * Starts recording a run of [plan] and returns its sink. A plan sharded `i/N` joins the newest
     * scan group of the same plan (shards and outputs aside) that has no shard `i` yet, or opens a
     * new group, so N processes started with the same arguments become one scan; a
     * [RecordSettings.groupId] names the group instead. [onError] hears once if recording fails
     * midway (the scan goes on).
     */
    public fun record(plan: ScanPlan, settings: RecordSettings = RecordSettings(), onError: (StoreException) -> Unit = {}): ScanRecorder {
        val stored = settings.copy(commandLine = Redaction.commandLine(settings.commandLine), arguments = Redaction.arguments(settings.arguments))
        val hash = PlanText.hash(plan)
        val shard = plan.targets.shard
        val now = System.currentTimeMillis()
        val id = store.jdbc("recording a new scan") { c ->
            if (shard.count > 1) {
                // shards starting together must agree on one group: take turns (per plan on PostgreSQL)
                if (store.dialect == Dialect.POSTGRESQL) {
                    c.createStatement().use { it.execute("SELECT pg_advisory_xact_lock(${hash.take(15).toLong(16)})") }
                } else {
                    store.writeFirst(c)
                }
            }
            val group = settings.groupId
                ?: (if (shard.count == 1) null else StartQueries.joinableGroup(c, hash, shard.index, shard.count, now - GROUP_JOIN_MILLIS))
                ?: StartQueries.newGroupId()
            StartQueries.insertScan(
                c,
                StartQueries.ScanRowValues(
                    groupId = group, shardIndex = shard.index, shardCount = shard.count, planHash = hash, status = ScanStatus.RUNNING.label,
                    startedAt = now, process = ProcessId.current, planJson = plan.toJson(), commandLine = stored.commandLine,
                    kmapVersion = stored.version.take(64), optionsJson = settingsJson.encodeToString(RecordSettings.serializer(), stored),
                    targets = PlanText.targets(plan),
                ),
            )
        }
        return ScanRecorder(store, id, plan, resumed = false, onError)
    }

    /**
     * Continues recording scan [id] (its shard, for a sharded scan) after an interruption: finished
     * hosts stay, unfinished hosts keep the ports stored so far, and the status is running again.
     * Raises [StoreException] when the scan does not exist or has completed.
     */
    public fun resume(id: Long, onError: (StoreException) -> Unit = {}): ScanRecorder {
        val rows = reader.groupRows(id)
        val row = rows.first { it[Scans.id] == id }
        val status = reader.summary(listOf(row)).status
        if (!status.resumable) {
            throw StoreException("scan $id is ${status.label}: only an interrupted, failed or aborted scan can be resumed")
        }
        store.tx("resuming scan $id") {
            Scans.update({ Scans.id eq id }) {
                it[Scans.status] = ScanStatus.RUNNING.label
                it[heartbeatAt] = System.currentTimeMillis()
                it[process] = ProcessId.current
                it[finishedAt] = null
            }
        }
        return ScanRecorder(store, id, reader.load(id, group = false).plan, resumed = true, onError)
    }

    /** The latest scans first (shards of one scan as one entry), at most [limit] scan rows read. */
    public fun history(limit: Int = 100): List<ScanSummary> = reader.summaries(limit)

    /**
     * Scan [id]: with its sibling shards as one scan ([group], the default), or this one row only
     * (a shard's own plan and hosts, as `--resume` continues it). Raises [StoreException] if absent.
     */
    public fun load(id: Long, group: Boolean = true): StoredScan = reader.load(id, group)

    /** Deletes scan [id] with everything stored about it (all shards of a sharded scan); returns the scan rows removed. */
    public fun delete(id: Long): List<Long> {
        val ids = reader.groupRows(id).map { it[Scans.id] }
        store.tx("deleting scan $id") { Scans.deleteWhere { Scans.id inList ids } }
        return ids
    }

    /** What earlier scans learned about the network of [address] (its /24 or /64), or null. */
    public fun learnedTiming(address: IpAddress): NetworkTiming? {
        val net = TimingSamples.network(address)
        return store.jdbc("reading learned timing") { StartQueries.learnedTiming(it, net) }
    }

    /** What changed from scan [a] to scan [b]: hosts, port states, services and script output. */
    public fun diff(a: Long, b: Long): ScanDiff = Differ.diff(load(a), load(b))

    override fun close() {
        store.close()
    }

    public companion object {
        /**
         * How long after the last activity of a shard of a sharded scan another shard of it may join (ms):
         * later, a run of the same plan starts a new scan.
         */
        public const val GROUP_JOIN_MILLIS: Long = 24 * 3_600_000L

        /** `jdbc:sqlite:` of `~/.kmap/kmap.db`, where the CLI records scans by default. */
        public fun defaultUrl(): String = StoreUrls.defaultUrl()

        /**
         * A JDBC URL from what a user typed (`--store`): JDBC URLs as they are, `postgresql://…`
         * with `jdbc:` in front, anything else an SQLite file path.
         */
        public fun url(text: String): String = StoreUrls.normalize(text)

        /** Opens the store at [url] (see [url]); creates or migrates it; raises [StoreException]. */
        public fun open(url: String = defaultUrl()): ScanStore = ScanStore(StoreDatabase.open(StoreUrls.normalize(url)))

        /** Opens an existing store for reading (a missing SQLite file is an error, not created). */
        public fun openExisting(url: String = defaultUrl()): ScanStore = ScanStore(StoreDatabase.open(StoreUrls.normalize(url), readOnly = true))

        /**
         * Starts connecting to the PostgreSQL store at [url] (see [url]; nothing for SQLite) on a
         * background thread and returns at once; the next [open] of the same URL takes that
         * connection, or raises what connecting met. The schema's version is read, never changed (no
         * table is created before [open]): a program (the CLI, as it parses its arguments) may call
         * it before it knows it will use the store.
         */
        public fun preconnect(url: String): Unit = StoreDatabase.preconnect(StoreUrls.normalize(url))

        /**
         * Starts loading what recording a scan needs on a background thread and returns at once: a
         * program that will open a store soon (the CLI, as it parses its arguments) calls it first,
         * so recording does not wait for class loading. [drivers]: the database drivers too (not
         * when the store is being opened already).
         */
        public fun warmUp(drivers: Boolean = true): Unit = StoreDatabase.Warmup.start(drivers)

        /** How [RecordSettings] are stored (every field, defaults too). */
        internal val settingsJson = Json { encodeDefaults = true }
    }
}
