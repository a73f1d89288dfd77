package dev.kmap.dsl

import kotlinx.serialization.Serializable
import kotlinx.serialization.Transient

/**
 * A set of port numbers of one protocol, kept as sorted, merged, non-overlapping ranges.
 *
 * The ranges are always normalised: ascending, each `first <= last` within 0..65535, and neither
 * overlapping nor adjacent (`80-81` and `82` become `80-82`). So two lists holding the same ports
 * are equal. Build lists with [of], [ofRanges], [plus] and [minus]; the constructor (also used
 * when decoding JSON) raises [InvalidSpecException] for ranges that are not normalised.
 *
 * ```kotlin
 * val p = PortList.of(22, 80, 81, 82)
 * println(p) // 22,80-82
 * ```
 */
@Serializable
public data class PortList(val ranges: List<PortRange> = emptyList()) : Iterable<Int> {
    /** `offsets[i]` is the number of ports in the ranges before `ranges[i]`; one extra slot holds the size. */
    @Transient
    private val offsets: IntArray = IntArray(ranges.size + 1)

    init {
        var previous: PortRange? = null
        for ((i, range) in ranges.withIndex()) {
            if (previous != null && range.first <= previous.last + 1) {
                invalid("port ranges ${previous.nmap()} and ${range.nmap()} are not normalised " +
                    "(expected ascending ranges that neither overlap nor touch; use PortList.ofRanges)")
            }
            offsets[i + 1] = offsets[i] + (range.last - range.first + 1)
            previous = range
        }
    }

    /** Number of ports. */
    public val size: Int get() = offsets[ranges.size]

    /** True when no port is in the list. */
    public fun isEmpty(): Boolean = ranges.isEmpty()

    /** True when [port] is in the list. */
    public operator fun contains(port: Int): Boolean {
        var low = 0
        var high = ranges.size - 1
        while (low <= high) {
            val mid = (low + high) ushr 1
            val range = ranges[mid]
            when {
                port < range.first -> high = mid - 1
                port > range.last -> low = mid + 1
                else -> return true
            }
        }
        return false
    }

    /** The [index]th port in ascending order; raises [IndexOutOfBoundsException] outside `0 until size`. */
    public operator fun get(index: Int): Int {
        if (index < 0 || index >= size) throw IndexOutOfBoundsException("index $index is out of bounds for $size ports")
        // the last range whose offset is <= index
        var low = 0
        var high = ranges.size - 1
        while (low < high) {
            val mid = (low + high + 1) ushr 1
            if (offsets[mid] <= index) low = mid else high = mid - 1
        }
        return ranges[low].first + (index - offsets[low])
    }

    /** The union. */
    public operator fun plus(other: PortList): PortList {
        if (other.isEmpty()) return this
        if (isEmpty()) return other
        val out = RangeAccumulator()
        var i = 0
        var j = 0
        while (i < ranges.size || j < other.ranges.size) {
            val next = when {
                j == other.ranges.size -> ranges[i++]
                i == ranges.size -> other.ranges[j++]
                ranges[i].first <= other.ranges[j].first -> ranges[i++]
                else -> other.ranges[j++]
            }
            out.add(next.first, next.last)
        }
        return out.build()
    }

    /** The difference. */
    public operator fun minus(other: PortList): PortList {
        if (isEmpty() || other.isEmpty()) return this
        val out = RangeAccumulator()
        var j = 0
        for (range in ranges) {
            var start = range.first
            // skip removals that end before this range
            while (j < other.ranges.size && other.ranges[j].last < start) j++
            var k = j
            while (k < other.ranges.size && other.ranges[k].first <= range.last) {
                val removed = other.ranges[k]
                if (removed.first > start) out.add(start, removed.first - 1)
                start = maxOf(start, removed.last + 1)
                if (removed.last >= range.last) break
                k++
            }
            if (start <= range.last) out.add(start, range.last)
        }
        return out.build()
    }

    override fun iterator(): Iterator<Int> = object : Iterator<Int> {
        private var range = 0
        private var next = if (ranges.isEmpty()) 0 else ranges[0].first

        override fun hasNext(): Boolean = range < ranges.size

        override fun next(): Int {
            if (range >= ranges.size) throw NoSuchElementException()
            val port = next
            if (port == ranges[range].last) {
                range++
                if (range < ranges.size) next = ranges[range].first
            } else {
                next = port + 1
            }
            return port
        }
    }

    /** nmap syntax: `22,80-82`; the empty list is the empty string. */
    override fun toString(): String = ranges.joinToString(",") { it.nmap() }

    public companion object {
        /** The empty list. */
        public val EMPTY: PortList = PortList()

        /** A list of the given ports, normalised; raises [InvalidSpecException] for a port outside 0..65535. */
        public fun of(vararg ports: Int): PortList {
            for (port in ports) checkPort(port)
            val sorted = ports.copyOf().also { it.sort() }
            val out = RangeAccumulator()
            for (port in sorted) out.add(port, port)
            return out.build()
        }

        /**
         * A list of the given ranges, normalised (sorted, merged). Empty ranges (`1..0`) hold no
         * port and are ignored; raises [InvalidSpecException] for a port outside 0..65535.
         */
        public fun ofRanges(ranges: Iterable<IntRange>): PortList {
            val nonEmpty = ranges.filter { !it.isEmpty() }
            for (range in nonEmpty) {
                checkPort(range.first)
                checkPort(range.last)
            }
            val out = RangeAccumulator()
            for (range in nonEmpty.sortedBy { it.first }) out.add(range.first, range.last)
            return out.build()
        }

        private fun checkPort(port: Int) {
            if (port !in 0..65535) invalid("port $port is out of range (ports are 0..65535)")
        }
    }
}

/** Collects ranges given in ascending order of `first`, merging overlapping and adjacent ones. */
private class RangeAccumulator {
    private val ranges = ArrayList<PortRange>()
    private var first = -1
    private var last = -2

    fun add(from: Int, to: Int) {
        if (first >= 0 && from <= last + 1) {
            if (to > last) last = to
            return
        }
        flush()
        first = from
        last = to
    }

    fun build(): PortList {
        flush()
        return if (ranges.isEmpty()) PortList.EMPTY else PortList(ranges)
    }

    private fun flush() {
        if (first >= 0) ranges += PortRange(first, last)
        first = -1
        last = -2
    }
}

private fun PortRange.nmap(): String = if (first == last) "$first" else "$first-$last"

/**
 * An inclusive range of ports; raises [InvalidSpecException] unless `0 <= first <= last <= 65535`.
 *
 * ```kotlin
 * val r = PortRange(1, 1024)
 * ```
 */
@Serializable
public data class PortRange(val first: Int, val last: Int) {
    init {
        if (first !in 0..65535 || last !in 0..65535) {
            invalid("port range $first-$last is out of range (ports are 0..65535)")
        }
        if (first > last) invalid("invalid port range \"$first-$last\" (expected first <= last)")
    }
}
