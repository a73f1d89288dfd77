package dev.kmap.engine

import dev.kmap.dsl.Protocol
import dev.kmap.engine.internal.GroupHost
import dev.kmap.engine.internal.StageHostOwner
import java.net.InetAddress

/**
 * One host of a group as a [ScanStage] sees it: what is known so far, and the ways a stage adds
 * to it. Thread-safe: stages may work on several hosts at once. Changes to a host already
 * reported (cut short by `--host-timeout` or a stop) are ignored.
 *
 * ```kotlin
 * for (h in context.hosts) {
 *     h.ports.filter { it.state == PortState.OPEN }.forEach { p -> h.updatePort(p.protocol, p.port) { it.copy(service = "ssh") } }
 *     h.addHostScript(ScriptOutput("note", "seen by my stage"))
 *     h.done() // nothing more from this stage: reported now if no later stage runs
 * }
 * ```
 */
public class StageHost internal constructor(private val state: GroupHost, private val owner: StageHostOwner) {
    /** The host: its address and the name it was given as (null for literal addresses). */
    public val host: Host get() = state.host!!

    /** The host's address, for sockets. */
    public val address: InetAddress get() = state.inet!!

    /** [HostStatus.UP] once found up (or with `-Pn`), [HostStatus.DOWN] when discovery found nothing, else unknown. */
    public val status: HostStatus get() = synchronized(owner.lock) {
        when {
            state.up -> HostStatus.UP
            state.unaskable -> HostStatus.UNKNOWN
            state.reason != null -> HostStatus.DOWN
            else -> HostStatus.UNKNOWN
        }
    }

    /** Why the host counts as up or down so far (`syn-ack`, `arp-response`, `user-set`...), or null. */
    public val reason: String? get() = synchronized(owner.lock) { state.reason }

    /** The ports decided so far, in the order they were decided (a copy). */
    public val ports: List<PortResult> get() = synchronized(owner.lock) { state.ports.toList() }

    /** What host scripts reported so far. */
    public val hostScripts: List<ScriptOutput> get() = synchronized(owner.lock) { state.hostScripts }

    /** True once the host was reported ([ScanEvent.HostFinished]): nothing more can be added. */
    public val isReported: Boolean get() = synchronized(owner.lock) { state.finished }

    /**
     * Replaces the result of [port]/[protocol] by [transform] of it and reports the new result at
     * once as a [ScanEvent.PortUpdated]. Returns false when the port is not in [ports].
     */
    public fun updatePort(protocol: Protocol, port: Int, transform: (PortResult) -> PortResult): Boolean {
        val updated = synchronized(owner.lock) {
            if (state.finished) return false
            val i = state.ports.indexOfFirst { it.port == port && it.protocol == protocol }
            if (i < 0) return false
            transform(state.ports[i]).also { state.setPort(i, it) }
        }
        owner.emit(ScanEvent.PortUpdated(host, updated))
        return true
    }

    /** Adds what a host script reported. */
    public fun addHostScript(output: ScriptOutput) {
        synchronized(owner.lock) { if (!state.finished) state.hostScripts = state.hostScripts + output }
    }

    /**
     * The host's result as it would be reported now (ports in report order), for stages that work
     * on whole results, such as a [HostProcessor] run as a stage.
     */
    public fun snapshot(): HostResult = synchronized(owner.lock) {
        state.toResult(status, System.currentTimeMillis())
    }

    /**
     * Takes ports, host scripts and the reverse name from [result] (made from [snapshot]); the
     * address and status stay the engine's. Changed ports are not reported one by one.
     */
    public fun replace(result: HostResult) {
        synchronized(owner.lock) {
            if (state.finished) return
            state.replacePorts(result.ports)
            state.hostScripts = result.hostScripts
            state.reverseName = result.reverseName
        }
    }

    /**
     * This stage is done with the host. When no later stage runs, the host is reported at once
     * (results stream host by host); otherwise it waits for the later stages.
     */
    public fun done() {
        owner.hostDone(state)
    }

    override fun toString(): String = "StageHost(${state.host})"
}
