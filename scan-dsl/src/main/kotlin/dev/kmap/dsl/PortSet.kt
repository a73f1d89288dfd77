package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * The ports to scan, per protocol.
 *
 * ```kotlin
 * val ports = PortSet.parse("U:53,161,T:21-25,80", default = setOf(Protocol.TCP))
 * println(ports.udp) // 53,161
 * ```
 */
@Serializable
public data class PortSet(val tcp: PortList = PortList.EMPTY, val udp: PortList = PortList.EMPTY) {
    /** The ports of [protocol]. */
    public operator fun get(protocol: Protocol): PortList = TODO()

    /** Per-protocol union. */
    public operator fun plus(other: PortSet): PortSet = TODO()

    /** Per-protocol difference (`--exclude-ports`). */
    public operator fun minus(other: PortSet): PortSet = TODO()

    /** True when no protocol has a port. */
    public fun isEmpty(): Boolean = TODO()

    public companion object {
        /**
         * Parses nmap port syntax: `22`, `1-1024`, `-`, `-100`, `60000-`, `U:53,T:80-90`, service
         * names (`http`, `ssh`) and wildcards (`http*`), `[1-1024]` (only ports in the services
         * table). Ports without a `T:`/`U:` prefix go to every protocol in [default].
         * Raises [InvalidSpecException].
         */
        public fun parse(spec: String, default: Set<Protocol> = setOf(Protocol.TCP)): PortSet = TODO()
    }
}
