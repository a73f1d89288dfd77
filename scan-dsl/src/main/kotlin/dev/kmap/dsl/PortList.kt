package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * A set of port numbers of one protocol, kept as sorted, merged, non-overlapping ranges.
 *
 * ```kotlin
 * val p = PortList.of(22, 80, 81, 82)
 * println(p) // 22,80-82
 * ```
 */
@Serializable
public data class PortList(val ranges: List<PortRange> = emptyList()) : Iterable<Int> {
    /** Number of ports. */
    public val size: Int get() = TODO()

    /** True when no port is in the list. */
    public fun isEmpty(): Boolean = TODO()

    /** True when [port] is in the list. */
    public operator fun contains(port: Int): Boolean = TODO()

    /** The [index]th port in ascending order. */
    public operator fun get(index: Int): Int = TODO()

    /** The union. */
    public operator fun plus(other: PortList): PortList = TODO()

    /** The difference. */
    public operator fun minus(other: PortList): PortList = TODO()

    override fun iterator(): Iterator<Int> = TODO()

    /** nmap syntax: `22,80-82`. */
    override fun toString(): String = TODO()

    public companion object {
        /** The empty list. */
        public val EMPTY: PortList = PortList()

        /** A list of the given ports, normalised. */
        public fun of(vararg ports: Int): PortList = TODO()

        /** A list of the given ranges, normalised (sorted, merged). */
        public fun ofRanges(ranges: Iterable<IntRange>): PortList = TODO()
    }
}

/**
 * An inclusive range of ports.
 *
 * ```kotlin
 * val r = PortRange(1, 1024)
 * ```
 */
@Serializable
public data class PortRange(val first: Int, val last: Int)
