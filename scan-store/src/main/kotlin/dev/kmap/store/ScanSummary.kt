package dev.kmap.store

/**
 * One line of `kmap history`: a stored scan, or the shards of one sharded scan taken together
 * ([shards] of [shardCount] recorded, [scanIds] their rows; [id] is the first of them). Times are
 * epoch milliseconds ([finishedAtMillis] null while running or when the process died);
 * [targets] is the targets as given, shortened.
 *
 * ```kotlin
 * store.history().forEach { println("${it.id} ${it.status.label} ${it.targets} ${it.hostsUp} up, ${it.openPorts} open") }
 * ```
 */
public data class ScanSummary(
    val id: Long,
    val groupId: String,
    val scanIds: List<Long>,
    val shards: Int,
    val shardCount: Int,
    val status: ScanStatus,
    val startedAtMillis: Long,
    val finishedAtMillis: Long?,
    val targets: String,
    val hostsUp: Long,
    val hostsDown: Long,
    val openPorts: Long,
    val commandLine: String,
    val version: String,
)
