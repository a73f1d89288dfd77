package dev.kmap.dsl

import dev.kmap.dsl.internal.PortTables

/**
 * Ports ranked by how often they are found open (a frequency table shipped with kmap).
 *
 * kmap ships only the rank order, derived from nmap's services table by
 * `scan-dsl/tools/gen-port-tables.py`; [get] selects the same ports as nmap's `--top-ports`.
 * The ranking holds every port with a nonzero open frequency: 4257 TCP ports and 15617 UDP ports.
 *
 * ```kotlin
 * val top = TopPorts.get(Protocol.TCP, 100) // nmap's -F set
 * ```
 */
public object TopPorts {
    private val tcp: List<Int> by lazy { PortTables.ranking(Protocol.TCP).asList() }
    private val udp: List<Int> by lazy { PortTables.ranking(Protocol.UDP).asList() }

    /**
     * The [n] most frequent ports of [protocol]; raises [InvalidSpecException] for n < 1.
     * When [n] exceeds the ranking's size the whole [ranking] is returned (nmap would add
     * never-seen-open ports in port order; kmap does not).
     */
    public fun get(protocol: Protocol, n: Int): PortList {
        if (n < 1) invalid("top ports count $n is out of range (expected at least 1)")
        val ranked = PortTables.ranking(protocol)
        return PortList.of(*ranked.copyOf(minOf(n, ranked.size)))
    }

    /** The whole ranking of [protocol], most frequent first (read-only). */
    public fun ranking(protocol: Protocol): List<Int> = when (protocol) {
        Protocol.TCP -> tcp
        Protocol.UDP -> udp
    }
}
