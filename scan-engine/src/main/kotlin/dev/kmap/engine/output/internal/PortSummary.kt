package dev.kmap.engine.output.internal

import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.output.ReportOptions

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
    class Reason(val reason: String, val protocol: Protocol, val ports: List<Int>) {
        val count: Int get() = ports.size

        /** nmap's compact port list, e.g. `1-100,200`. */
        val portRanges: String get() = PortList.of(*ports.toIntArray()).toString()
    }

    val ignored: List<Ignored>
    val shown: List<PortResult>
    val total: Int = result.ports.size

    init {
        val counts = result.ports.groupingBy { it.state }.eachCount()
        val ignoredStates = counts.filter { (state, count) -> isIgnored(state, count, options) }.keys
        shown = result.ports.filter { it.state !in ignoredStates }
        ignored = ignoredStates
            .sortedWith(compareByDescending<PortState> { counts.getValue(it) }.thenBy { it.ordinal })
            .map { state ->
                val ports = result.ports.filter { it.state == state }
                val reasons = ports.groupBy { it.protocol to it.reason }.entries
                    .sortedWith(compareBy<Map.Entry<Pair<Protocol, String>, List<PortResult>>> { it.key.first }.thenByDescending { it.value.size })
                    .map { (key, list) -> Reason(key.second, key.first, list.map { it.port }) }
                Ignored(state, counts.getValue(state), reasons)
            }
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
