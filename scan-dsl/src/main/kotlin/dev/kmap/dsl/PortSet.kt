package dev.kmap.dsl

import dev.kmap.dsl.internal.PortSpecParser
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
    public operator fun get(protocol: Protocol): PortList = when (protocol) {
        Protocol.TCP -> tcp
        Protocol.UDP -> udp
    }

    /** Per-protocol union. */
    public operator fun plus(other: PortSet): PortSet = PortSet(tcp + other.tcp, udp + other.udp)

    /** Per-protocol difference (`--exclude-ports`). */
    public operator fun minus(other: PortSet): PortSet = PortSet(tcp - other.tcp, udp - other.udp)

    /** True when no protocol has a port. */
    public fun isEmpty(): Boolean = tcp.isEmpty() && udp.isEmpty()

    public companion object {
        /**
         * Parses nmap port syntax: `22`, `1-1024`, `-`, `-100`, `60000-`, `U:53,T:80-90`, service
         * names (`http`, `ssh`) and wildcards (`http*`), `[1-1024]` (only ports in the services
         * table). Ports without a `T:`/`U:` prefix go to every protocol in [default].
         * Raises [InvalidSpecException].
         *
         * Details, as in nmap: items are separated by commas (whitespace around them is ignored);
         * a prefix applies to every item after it until the next prefix; open ranges start at 1
         * (`-`, `-100`) or end at 65535 (`60000-`), so port 0 is only scanned when written
         * explicitly; names and wildcards (`*` any run, `?` one character, case-insensitive)
         * select the ports of that name in the services table of each protocol in effect, and
         * are an error only if they name no port of any of them. `S:` (SCTP) is not supported.
         * Unlike nmap, empty items (`80,,81`, a trailing comma) are errors. With an empty
         * [default], unprefixed items are checked but select nothing.
         */
        public fun parse(spec: String, default: Set<Protocol> = setOf(Protocol.TCP)): PortSet =
            PortSpecParser(spec, default).parse()
    }
}
