package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.TargetHost
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PORT_ORDER
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScriptOutput
import dev.kmap.engine.StageHost
import java.net.InetAddress

/**
 * One host of a group while its stages run: what a [HostResult] needs and the port scan's
 * counters. Kept small on purpose (a /16 sweep holds 16384 of them per group, most of them
 * down): the port list and the stages' view are made only when used. Guarded by the
 * pipeline's lock where loop threads touch it.
 */
internal class GroupHost(val target: TargetHost, val position: Long) {
    var host: Host? = null
    var inet: InetAddress? = null
    var up = false
    var reason: String? = null
    var latencyNanos = -1L
    private var results: ArrayList<PortResult>? = null
    var hostScripts: List<ScriptOutput> = emptyList()
    var pending = 0
    var totalPorts = 0
    var startedMillis = 0L
    var deadlineNanos = Long.MAX_VALUE
    var timedOut = false
    var finished = false
    var reverseName: String? = null
    var error: String? = null

    /** Set when no discovery probe could be sent to this host (it cannot be asked): its status stays unknown. */
    var unaskable = false

    /** Ports decided before a resume: skipped by the port scan. */
    var resumedPorts: dev.kmap.dsl.PortSet? = null

    init {
        if (target is TargetHost.Ip) resolvedTo(target.address, null)
    }

    fun resolvedTo(address: IpAddress, name: String?) {
        host = Host(address, name)
        inet = InetAddress.getByAddress(address.toBytes())
    }

    val ports: List<PortResult> get() = results ?: emptyList()

    fun addPort(result: PortResult) {
        (results ?: ArrayList<PortResult>().also { results = it }) += result
    }

    fun replacePorts(ports: List<PortResult>) {
        results = ArrayList(ports)
    }

    /** Replaces the port [index] of [ports]. */
    fun setPort(index: Int, result: PortResult) {
        results!![index] = result
    }

    private var stageView: StageHost? = null

    fun view(pipeline: StageHostOwner): StageHost = stageView ?: StageHost(this, pipeline).also { stageView = it }

    fun toResult(status: HostStatus, nowMillis: Long): HostResult {
        val sorted = results?.apply { sortWith(PORT_ORDER) }?.toList() ?: emptyList()
        return HostResult(
            host = host!!,
            status = status,
            reason = reason ?: "no-response",
            ports = sorted,
            reverseName = reverseName,
            latencyMicros = if (latencyNanos >= 0) latencyNanos / 1_000 else null,
            startedAtMillis = startedMillis,
            finishedAtMillis = nowMillis,
            timedOut = timedOut,
            error = error,
            hostScripts = hostScripts,
        )
    }

    /** Drops the stage view, so the next [view] is owned by another run (a part of the group). */
    fun forgetView() {
        stageView = null
    }

    /** Frees the port list once the host is reported. */
    fun release() {
        results = null
        stageView = null
    }
}

/** What [StageHost] needs from the pipeline: its lock, events, and the host's early completion. */
internal interface StageHostOwner {
    val lock: Any
    fun emit(event: dev.kmap.engine.ScanEvent)
    fun hostDone(h: GroupHost)
}
