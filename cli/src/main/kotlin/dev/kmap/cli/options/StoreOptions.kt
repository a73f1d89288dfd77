package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.groups.OptionGroup
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.int
import dev.kmap.cli.StoreAccess
import dev.kmap.cli.UserError
import dev.kmap.store.ScanStore

/**
 * The scan options of the store: where scans are recorded (`--store`, `--no-store`), `--resume`,
 * and sharding across processes (`--shard-count` with Kubernetes' `JOB_COMPLETION_INDEX`,
 * `--scan-group`).
 */
internal class StoreOptions : OptionGroup(name = "Scan history") {
    val store by option("--store", metavar = "URL", help = "Record the scan in this store: jdbc:sqlite:FILE, a file path, or jdbc:postgresql://HOST/DB (default: \$KMAP_STORE or ~/.kmap/kmap.db)")
    val noStore by option("--no-store", help = "Do not record this scan").flag()
    val resume by option("--resume", metavar = "ID|FILE", help = "Continue an interrupted scan: a stored scan id (kmap history), or a -oN/-oG/-oX file it wrote")
    val shardCount by option("--shard-count", metavar = "N", help = "Scan shard \$JOB_COMPLETION_INDEX+1 of N (a Kubernetes Indexed Job); the same --seed in every shard").int()
    val scanGroup by option("--scan-group", metavar = "ID", help = "Record the shards of a sharded scan as one scan with this id (default: \$KMAP_SCAN_GROUP, or the same plan started within a day)")

    /** The environment (`JOB_COMPLETION_INDEX`, `KMAP_SCAN_GROUP`); tests replace it. */
    var env: (String) -> String? = System::getenv

    /** The store URL of this run, or null with `--no-store`. */
    fun url(): String? = if (noStore) null else StoreAccess.url(store)

    /**
     * The `I/N` shard: `--shard` as given, or from `--shard-count N` and the completion index a
     * Kubernetes Indexed Job gives each pod (0-based, so shard index+1).
     */
    fun shard(explicit: String?): String? {
        val count = shardCount ?: return explicit
        if (explicit != null) throw UserError("--shard and --shard-count contradict each other", "--shard I/N names the shard; --shard-count N takes it from JOB_COMPLETION_INDEX")
        if (count !in 1..1_000_000) throw UserError("--shard-count $count is out of range (expected 1..1000000)", SHARD_HINT)
        val text = env(COMPLETION_INDEX) ?: throw UserError("--shard-count needs \$$COMPLETION_INDEX (set by a Kubernetes Indexed Job)", SHARD_HINT)
        val index = text.trim().toIntOrNull()
        if (index == null || index !in 0 until count) {
            throw UserError("\$$COMPLETION_INDEX is \"$text\" (expected 0..${count - 1} for --shard-count $count)", SHARD_HINT)
        }
        return "${index + 1}/$count"
    }

    /** The scan group from `--scan-group` or `$KMAP_SCAN_GROUP`. */
    fun group(): String? = (scanGroup ?: env("KMAP_SCAN_GROUP"))?.trim()?.takeIf { it.isNotEmpty() }?.also {
        if (it.length > 64) throw UserError("scan group \"${it.take(20)}…\" is too long (at most 64 characters)", SHARD_HINT)
    }

    companion object {
        const val COMPLETION_INDEX = "JOB_COMPLETION_INDEX"
        const val SHARD_HINT = "see docs/store.md: N processes with --shard-count N (or --shard I/N) and one --seed write one scan"

        /** The default store URL, as `kmap history` and friends use it too. */
        fun defaultUrl(): String = ScanStore.defaultUrl()
    }
}
