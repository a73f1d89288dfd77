package dev.kmap.dsl

/**
 * The receiver of `discovery { }`: the probes that find hosts up (nmap's `-P*`).
 *
 * ```kotlin
 * scan { discovery { icmpEcho(); tcpSyn(22, 443); udp() } }
 * ```
 */
@KmapDsl
public class DiscoveryBuilder internal constructor() {
    private val probes = ArrayList<DiscoveryProbe>()

    /** A probe of [kind] (ports: its default when none are given), as the CLI's `-P*` flags add them. */
    public fun probe(kind: DiscoveryProbeKind, vararg ports: Int) { probes += kind.probe(ports.toList()) }

    /** ICMP echo request (`-PE`). */
    public fun icmpEcho() { probe(DiscoveryProbeKind.ICMP_ECHO) }

    /** ICMP timestamp request (`-PP`). */
    public fun icmpTimestamp() { probe(DiscoveryProbeKind.ICMP_TIMESTAMP) }

    /** ARP (IPv4) or NDP (IPv6) on the local link (`-PR`). */
    public fun arp() { probe(DiscoveryProbeKind.ARP) }

    /** TCP SYN ping (`-PS`), port 80 by default. */
    public fun tcpSyn(vararg ports: Int) { probe(DiscoveryProbeKind.TCP_SYN, *ports) }

    /** TCP ACK ping (`-PA`), port 80 by default. */
    public fun tcpAck(vararg ports: Int) { probe(DiscoveryProbeKind.TCP_ACK, *ports) }

    /** UDP ping (`-PU`), port 40125 by default. */
    public fun udp(vararg ports: Int) { probe(DiscoveryProbeKind.UDP, *ports) }

    /** TCP connect ping: the unprivileged method (80 and 443 by default). */
    public fun tcpConnect(vararg ports: Int) { probes += DiscoveryProbe.TcpConnect(checked(ports, 80, 443)) }

    internal fun build(): List<DiscoveryProbe> = probes.toList()

    private fun checked(ports: IntArray, vararg default: Int): List<Int> {
        val list = if (ports.isEmpty()) default.toList() else ports.toList()
        list.forEach { if (it !in 0..65535) invalid("discovery port $it is out of range (ports are 0..65535)") }
        return list
    }
}
