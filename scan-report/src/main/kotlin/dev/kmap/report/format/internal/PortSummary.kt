package dev.kmap.report.format.internal

import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.report.format.ReportOptions

/**
 * nmap's split of a host's ports into rows shown in a table and "ignored" states folded into
 * one summary (`Not shown: 65530 closed tcp ports (conn-refused)`, `<extraports>`,
 * `Ignored State:`). The rules are nmap 7.93's `PortList::isIgnoredState`:
 * - open ports are always shown;
 * - with `--open`, every state that cannot be open (closed, filtered, closed|filtered) is ignored;
 * - otherwise a state is ignored when more than 25 ports have it, 25 × (verbosity + 1 +
 *   5 × debugging) with `-v`/`-d`; open|filtered stays shown from `-vvv`/`-ddd` on, and with
 *   `-ddd` nothing is ignored.
 */
internal class PortSummary(result: HostResult, options: ReportOptions) {
    /** A folded state with its reasons, most frequent state first. */
    class Ignored(val state: PortState, val count: Int, val reasons: List<Reason>)

    /** The ports of one [protocol] that share a [reason] within an ignored state. */
    class Reason(val reason: String, val protocol: Protocol, val ports: IntArray) {
        val count: Int get() = ports.size

        /** nmap's compact port list, e.g. `1-100,200`. */
        val portRanges: String get() = PortList.of(*ports).toString()
    }

    val ignored: List<Ignored>
    val shown: List<PortResult>
    val total: Int = result.ports.size

    // A full-range host has 65535 results, and this runs once per host, before the JIT has
    // compiled it: two passes (count; then shown rows and the folded states' reasons), primitive
    // port lists, and a key object only when (state, protocol, reason) changes.
    init {
        val ports = result.ports
        val counts = IntArray(PortState.entries.size)
        for (p in ports) counts[p.state.ordinal]++
        val folded = BooleanArray(counts.size) { counts[it] > 0 && isIgnored(PortState.entries[it], counts[it], options) }
        if (folded.none { it }) {
            // the usual host of a sweep or a small scan: every port is shown, nothing is grouped
            shown = ports
            ignored = emptyList()
        } else {
            val split = split(ports, folded, counts)
            shown = split.first
            ignored = split.second
        }
    }

    /** The rows shown and the [folded] states with their reasons, most frequent first ([counts] per state). */
    private fun split(ports: List<PortResult>, folded: BooleanArray, counts: IntArray): Pair<List<PortResult>, List<Ignored>> {
        val groups = LinkedHashMap<Triple<PortState, Protocol, String>, java.util.stream.IntStream.Builder>()
        val rows = ArrayList<PortResult>()
        var last: java.util.stream.IntStream.Builder? = null
        var lastState: PortState? = null
        var lastProtocol: Protocol? = null
        var lastReason: String? = null
        for (p in ports) {
            val state = p.state
            if (!folded[state.ordinal]) { rows += p; continue }
            if (last == null || state != lastState || p.protocol != lastProtocol || p.reason != lastReason) {
                lastState = state
                lastProtocol = p.protocol
                lastReason = p.reason
                last = groups.getOrPut(Triple(state, p.protocol, p.reason)) { java.util.stream.IntStream.builder() }
            }
            last.add(p.port)
        }
        val ignored = PortState.entries.filter { folded[it.ordinal] }
            .sortedWith(compareByDescending<PortState> { counts[it.ordinal] }.thenBy { it.ordinal })
            .map { state ->
                val reasons = groups.filterKeys { it.first == state }
                    .map { (key, builder) -> Reason(key.third, key.second, builder.build().toArray()) }
                    .sortedWith(compareBy<Reason> { it.protocol }.thenByDescending { it.count })
                Ignored(state, counts[state.ordinal], reasons)
            }
        return rows to ignored
    }

    /** True when every port is folded (nmap: "All N scanned ports on X are in ignored states."). */
    val allIgnored: Boolean get() = total > 0 && shown.isEmpty()

    /** The grepable `Ignored State` field: only when exactly one state is folded. */
    val singleIgnored: Ignored? get() = ignored.singleOrNull()

    companion object {
        private const val MAX_PER_STATE = 25

        /** True when a `--open` report should leave this host out: it has no port that may be open. */
        fun hiddenByOpenOnly(result: HostResult, options: ReportOptions): Boolean =
            options.openOnly && result.ports.none { mayBeOpen(it.state) }

        fun mayBeOpen(state: PortState): Boolean =
            state == PortState.OPEN || state == PortState.OPEN_FILTERED || state == PortState.UNFILTERED

        fun isIgnored(state: PortState, count: Int, options: ReportOptions): Boolean {
            if (options.debugging > 2) return false
            if (state == PortState.OPEN) return false
            if (state == PortState.OPEN_FILTERED && options.verbosity > 2) return false
            if (options.openOnly && !mayBeOpen(state) && count > 0) return true
            var max = MAX_PER_STATE
            if (options.verbosity > 0 || options.debugging > 0) max *= options.verbosity + 1 + 5 * options.debugging
            return count > max
        }
    }
}
