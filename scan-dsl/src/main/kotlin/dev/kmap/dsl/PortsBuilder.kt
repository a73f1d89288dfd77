package dev.kmap.dsl

/**
 * The receiver of `ports { }`. Ports given without a protocol apply to every protocol the plan
 * scans (as nmap's `-p`); [tcp] and [udp] name theirs.
 *
 * ```kotlin
 * scan { ports { range(1..1024); top(100); udp(53, 161); exclude("25") } }
 * ```
 */
@KmapDsl
public class PortsBuilder internal constructor() {
    private val parts = ArrayList<(Set<Protocol>) -> PortSet>()
    private val exclusions = ArrayList<(Set<Protocol>) -> PortSet>()

    /** Adds ports in nmap syntax (`22`, `1-1024`, `-`, `U:53,T:80-90`, `http`, `[1-1024]`). */
    public fun spec(spec: String) {
        PortSet.parse(spec, Protocol.entries.toSet()) // validate now, so the error points at this call
        parts += { PortSet.parse(spec, it) }
    }

    /** Adds the ports of [range]. */
    public fun range(range: IntRange) {
        val list = checked(range)
        parts += { protocols -> forEach(protocols, list) }
    }

    /** Adds single ports. */
    public fun port(vararg ports: Int) { ports.forEach { range(it..it) } }

    /** Adds every port, 1-65535 (nmap's `-p-`). */
    public fun all() { range(1..65535) }

    /** Adds the [n] most frequent ports of each scanned protocol (`--top-ports`). */
    public fun top(n: Int) {
        if (n < 1) invalid("top ports count $n is out of range (expected at least 1)")
        parts += { protocols -> protocols.fold(PortSet()) { acc, p -> acc + single(p, TopPorts.get(p, n)) } }
    }

    /** Adds TCP ports. */
    public fun tcp(vararg ports: Int) { val l = list(ports); parts += { single(Protocol.TCP, l) } }

    /** Adds a range of TCP ports. */
    public fun tcp(range: IntRange) { val l = checked(range); parts += { single(Protocol.TCP, l) } }

    /** Adds UDP ports. */
    public fun udp(vararg ports: Int) { val l = list(ports); parts += { single(Protocol.UDP, l) } }

    /** Adds a range of UDP ports. */
    public fun udp(range: IntRange) { val l = checked(range); parts += { single(Protocol.UDP, l) } }

    /** Leaves out ports in nmap syntax (`--exclude-ports`). */
    public fun exclude(spec: String) {
        PortSet.parse(spec, Protocol.entries.toSet())
        exclusions += { PortSet.parse(spec, it) }
    }

    internal fun build(protocols: Set<Protocol>): PortSet {
        val included = parts.fold(PortSet()) { acc, part -> acc + part(protocols) }
        val excluded = exclusions.fold(PortSet()) { acc, part -> acc + part(protocols) }
        return included - excluded
    }

    private fun checked(range: IntRange): PortList {
        if (range.isEmpty()) invalid("empty port range ${range.first}..${range.last} (expected first <= last)")
        for (p in listOf(range.first, range.last)) {
            if (p !in 0..65535) invalid("port $p in ${range.first}..${range.last} is out of range (ports are 0..65535)")
        }
        return PortList.ofRanges(listOf(range))
    }

    private fun list(ports: IntArray): PortList =
        ports.fold(PortList.EMPTY) { acc, p -> acc + checked(p..p) }

    private fun single(protocol: Protocol, list: PortList): PortSet =
        if (protocol == Protocol.TCP) PortSet(tcp = list) else PortSet(udp = list)

    private fun forEach(protocols: Set<Protocol>, list: PortList): PortSet =
        protocols.fold(PortSet()) { acc, p -> acc + single(p, list) }
}
