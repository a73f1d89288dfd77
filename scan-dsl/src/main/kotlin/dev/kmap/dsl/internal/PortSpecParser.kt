package dev.kmap.dsl.internal

import dev.kmap.dsl.PortList
import dev.kmap.dsl.PortRange
import dev.kmap.dsl.PortSet
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.invalid
import java.util.BitSet

/** Parses one nmap `-p` specification; see [PortSet.parse]. Raises only InvalidSpecException. */
internal class PortSpecParser(private val spec: String, private val default: Set<Protocol>) {
    private val selected = Protocol.entries.associateWith { BitSet() }

    fun parse(): PortSet {
        if (spec.isBlank()) invalid("empty port specification (expected e.g. 22,80-90,U:53)")
        var protocols: Set<Protocol> = default
        for (rawItem in spec.split(',')) {
            var item = rawItem.trim()
            if (item.isEmpty()) {
                invalid("empty item in port specification ${quote(spec)} " +
                    "(expected a port, range or service name between commas)")
            }
            while (item.length >= 2 && item[1] == ':' && item[0].isAsciiLetter()) {
                val prefix = item.substring(0, 2)
                protocols = when (item[0]) {
                    'T' -> setOf(Protocol.TCP)
                    'U' -> setOf(Protocol.UDP)
                    'S' -> invalid("SCTP is not supported: ${quote(prefix)} in ${quote(spec)} (expected T: or U:)")
                    else -> invalid("unknown protocol prefix ${quote(prefix)} in ${quote(spec)} (expected T: or U:)")
                }
                item = item.substring(2).trim()
                if (item.isEmpty()) {
                    invalid("missing ports after ${quote(prefix)} in ${quote(spec)} (expected e.g. ${prefix}22,80)")
                }
            }
            item(item, protocols)
        }
        return PortSet(tcp = toPortList(selected.getValue(Protocol.TCP)), udp = toPortList(selected.getValue(Protocol.UDP)))
    }

    private fun item(item: String, protocols: Set<Protocol>) {
        if (item.startsWith('[')) {
            if (!item.endsWith(']') || item.length < 2) {
                invalid("unterminated \"[\" in ${quote(item)}${context(item)} (expected e.g. [1-1024])")
            }
            val inner = item.substring(1, item.length - 1).trim()
            if (inner.isEmpty()) invalid("empty brackets in ${quote(spec)} (expected e.g. [1-1024] or [-])")
            if (inner.isNumeric()) {
                val range = range(inner)
                for (p in protocols) selectListed(p, range)
            } else {
                names(inner, protocols)
            }
            return
        }
        if (item.isNumeric()) {
            val range = range(item)
            for (p in protocols) selected.getValue(p).set(range.first, range.last + 1)
        } else {
            names(item, protocols)
        }
    }

    /** A port or range made of ASCII digits and dashes: `22`, `1-1024`, `-`, `-100`, `60000-`. */
    private fun range(text: String): IntRange {
        val dash = text.indexOf('-')
        if (dash < 0) return port(text).let { it..it }
        if (text.indexOf('-', dash + 1) >= 0) {
            invalid("invalid port range ${quote(text)}${context(text)} (expected first-last, -last, first- or -)")
        }
        val left = text.substring(0, dash)
        val right = text.substring(dash + 1)
        val first = if (left.isEmpty()) 1 else port(left)
        val last = if (right.isEmpty()) 65535 else port(right)
        if (first > last) invalid("invalid port range ${quote(text)}${context(text)} (expected first <= last)")
        return first..last
    }

    private fun port(digits: String): Int {
        val significant = digits.trimStart('0')
        if (significant.length > 5 || (significant.isNotEmpty() && significant.toInt() > 65535)) {
            invalid("port ${clip(digits)} in ${quote(spec)} is out of range (ports are 0..65535)")
        }
        return if (significant.isEmpty()) 0 else significant.toInt()
    }

    /** Selects the ports of [range] that the services table of [protocol] lists. */
    private fun selectListed(protocol: Protocol, range: IntRange) {
        val ports = PortTables.services(protocol).ports
        val bits = selected.getValue(protocol)
        var i = ports.binarySearch(range.first).let { if (it < 0) -it - 1 else it }
        while (i < ports.size && ports[i] <= range.last) bits.set(ports[i++])
    }

    private fun names(pattern: String, protocols: Set<Protocol>) {
        val glob = pattern.any { it == '*' || it == '?' }
        var found = false
        for (p in protocols) {
            val ports = PortTables.services(p).matching(pattern)
            if (ports.isNotEmpty()) found = true
            val bits = selected.getValue(p)
            for (port in ports) bits.set(port)
        }
        if (found) return
        val elsewhere = Protocol.entries.any { PortTables.services(it).matching(pattern).isNotEmpty() }
        if (protocols.isEmpty() && elsewhere) return
        val scope = if (elsewhere) " for ${protocols.joinToString("/") { it.label }}" else ""
        if (glob) {
            invalid("no service name matches ${quote(pattern)}$scope in ${quote(spec)} " +
                "(expected a port number, range or service name pattern such as http*)")
        }
        invalid("unknown service name ${quote(pattern)}$scope in ${quote(spec)} " +
            "(expected a port number, range or service name)")
    }

    private fun context(item: String): String = if (item == spec) "" else " in ${quote(spec)}"

    private fun String.isNumeric(): Boolean = isNotEmpty() && all { it in '0'..'9' || it == '-' }

    private fun Char.isAsciiLetter(): Boolean = this in 'A'..'Z' || this in 'a'..'z'

    internal companion object {
        /** The ports set in [bits] (all within 0..65535). */
        fun toPortList(bits: BitSet): PortList {
            val ranges = ArrayList<PortRange>()
            var first = bits.nextSetBit(0)
            while (first >= 0) {
                val end = bits.nextClearBit(first)
                ranges += PortRange(first, end - 1)
                first = bits.nextSetBit(end)
            }
            return if (ranges.isEmpty()) PortList.EMPTY else PortList(ranges)
        }

        private const val MAX_QUOTED = 100

        /** [text] in double quotes, on one line: escapes quotes, backslashes and control characters; clips long text. */
        fun quote(text: String): String {
            val sb = StringBuilder("\"")
            for (c in clip(text)) {
                when {
                    c == '"' -> sb.append("\\\"")
                    c == '\\' -> sb.append("\\\\")
                    c == '\n' -> sb.append("\\n")
                    c == '\r' -> sb.append("\\r")
                    c == '\t' -> sb.append("\\t")
                    c.isISOControl() || c == '\u2028' || c == '\u2029' ->
                        sb.append("\\u").append(c.code.toString(16).padStart(4, '0'))
                    else -> sb.append(c)
                }
            }
            return sb.append('"').toString()
        }

        /** [text] cut to [MAX_QUOTED] characters (never inside a surrogate pair), marked with `...`. */
        fun clip(text: String): String {
            if (text.length <= MAX_QUOTED) return text
            var end = MAX_QUOTED
            if (text[end - 1].isHighSurrogate()) end--
            return text.substring(0, end) + "..."
        }
    }
}
