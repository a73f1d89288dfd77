package dev.kmap.dsl

/**
 * Ports ranked by how often they are found open (a frequency table shipped with kmap).
 *
 * ```kotlin
 * val top = TopPorts.get(Protocol.TCP, 100) // nmap's -F set
 * ```
 */
public object TopPorts {
    /** The [n] most frequent ports of [protocol]; raises [InvalidSpecException] for n < 1. */
    public fun get(protocol: Protocol, n: Int): PortList = TODO()

    /** The whole ranking of [protocol], most frequent first. */
    public fun ranking(protocol: Protocol): List<Int> = TODO()
}
