package dev.kmap.store.internal

import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.Shard
import dev.kmap.dsl.TargetSpec
import java.util.HexFormat

/** What the store derives from a plan: the short target text of `history`, and the shard-free hash that groups shards. */
internal object PlanText {
    fun targets(plan: ScanPlan): String {
        val t = plan.targets
        val text = t.includes.joinToString(" ") { spec(it) } +
            t.excludes.joinToString("") { " -" + spec(it) }
        return if (text.length <= MAX) text else text.take(MAX - 1) + "…"
    }

    fun spec(s: TargetSpec): String = when (s) {
        is TargetSpec.Address -> s.address.toString()
        is TargetSpec.Cidr -> "${s.base}/${s.prefix}"
        is TargetSpec.OctetRange -> s.text
        is TargetSpec.AddressRange -> "${s.first}-${s.last}"
        is TargetSpec.HostName -> s.name
        is TargetSpec.File -> "@${s.path}"
    }

    /**
     * SHA-256 of the plan without its shard and outputs: every shard of one sharded scan has the
     * same hash (each shard may write its own output files). [Sha256], not the JDK's
     * `MessageDigest`, whose provider set-up would delay the first packet.
     */
    fun hash(plan: ScanPlan): String {
        val whole = plan.copy(outputs = emptyList(), targets = plan.targets.copy(shard = Shard.WHOLE))
        val digest = Sha256.digest(whole.toJson().toByteArray(Charsets.UTF_8))
        // lower-case hex (not String.format, whose first use costs milliseconds before a scan starts)
        return HexFormat.of().formatHex(digest)
    }

    /** How many port results an up host gets: the ports of every scan type's protocol (none for a ping scan). */
    fun portsPerHost(plan: ScanPlan): Int =
        if (plan.pingOnly) 0 else plan.scanTypes.ifEmpty { listOf(ScanType.SYN) }.sumOf { plan.ports[it.protocol].size }

    private const val MAX = 120
}
