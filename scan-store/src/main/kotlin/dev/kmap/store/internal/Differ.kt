package dev.kmap.store.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptOutput
import dev.kmap.store.ScanDiff
import dev.kmap.store.StoredScan

/**
 * Computes a [ScanDiff]: scan A's hosts are held in memory (by address), scan B's are streamed
 * past them; hosts are reported in address order.
 */
internal object Differ {
    fun diff(a: StoredScan, b: StoredScan): ScanDiff {
        val before = LinkedHashMap<IpAddress, HostResult>()
        a.hosts().forEach { h -> if (h.error == null) before[h.host.address] = h }
        val changes = ArrayList<Pair<IpAddress, ScanDiff.HostDiff>>()
        b.hosts().forEach { hb ->
            if (hb.error != null) return@forEach
            val ha = before.remove(hb.host.address)
            host(ha, hb)?.let { changes += hb.host.address to it }
        }
        for ((address, ha) in before) host(ha, null)?.let { changes += address to it }
        changes.sortBy { it.first }
        return ScanDiff(side(a), side(b), changes.map { it.second })
    }

    private fun side(s: StoredScan) =
        ScanDiff.Side(s.summary.id, s.stats.startedAtMillis, s.summary.commandLine, s.summary.version, s.settings.zone)

    private fun host(a: HostResult?, b: HostResult?): ScanDiff.HostDiff? {
        val upA = a?.status == HostStatus.UP
        val upB = b?.status == HostStatus.UP
        if (!upA && !upB) return null
        val any = b ?: a!!
        val change = when {
            upA && upB -> ScanDiff.Change.CHANGED
            upB -> ScanDiff.Change.ADDED
            else -> ScanDiff.Change.REMOVED
        }
        val ports = ports(if (upA) a!!.ports else emptyList(), if (upB) b!!.ports else emptyList())
        val hostScripts = scripts(if (upA) a!!.hostScripts else emptyList(), if (upB) b!!.hostScripts else emptyList())
        if (change == ScanDiff.Change.CHANGED && ports.isEmpty() && hostScripts.isEmpty()) return null
        return ScanDiff.HostDiff(
            address = any.host.address.toString(),
            name = any.host.name ?: any.reverseName,
            change = change,
            statusA = a?.status?.let(Codes::status),
            statusB = b?.status?.let(Codes::status),
            ports = ports,
            hostScripts = hostScripts,
        )
    }

    private fun ports(a: List<PortResult>, b: List<PortResult>): List<ScanDiff.PortDiff> {
        val byKey = HashMap<Int, PortResult>(a.size * 2)
        for (p in a) byKey[Codes.portKey(p)] = p
        val out = ArrayList<ScanDiff.PortDiff>()
        for (pb in b) port(byKey.remove(Codes.portKey(pb)), pb)?.let { out += it }
        for (pa in byKey.values) port(pa, null)?.let { out += it }
        out.sortWith(compareBy({ it.protocol }, { it.port }))
        return out
    }

    private fun port(a: PortResult?, b: PortResult?): ScanDiff.PortDiff? {
        val openA = a?.state == PortState.OPEN
        val openB = b?.state == PortState.OPEN
        val scripts = scripts(a?.scripts.orEmpty(), b?.scripts.orEmpty())
        val change = when {
            openB && !openA -> ScanDiff.PortChange.OPENED
            openA && !openB -> ScanDiff.PortChange.CLOSED
            a == null || b == null -> return null // scanned once, and not open there
            side(a) != side(b) || scripts.isNotEmpty() -> ScanDiff.PortChange.CHANGED
            else -> return null
        }
        val any = b ?: a!!
        return ScanDiff.PortDiff(any.protocol.label, any.port, change, a?.let(::side), b?.let(::side), scripts)
    }

    private fun side(p: PortResult) = ScanDiff.PortSide(
        p.state.label,
        p.serviceInfo?.displayName ?: p.service,
        p.serviceInfo?.versionText?.takeIf { it.isNotEmpty() },
    )

    private fun scripts(a: List<ScriptOutput>, b: List<ScriptOutput>): List<ScanDiff.ScriptDiff> {
        val before = a.associate { it.id to it.output }
        val after = b.associate { it.id to it.output }
        return (before.keys + after.keys).filter { before[it] != after[it] }.sorted().map { ScanDiff.ScriptDiff(it, before[it], after[it]) }
    }
}
