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

    /** ICMP echo request (`-PE`). */
    public fun icmpEcho() { probes += DiscoveryProbe.IcmpEcho }

    /** ICMP timestamp request (`-PP`). */
    public fun icmpTimestamp() { probes += DiscoveryProbe.IcmpTimestamp }

    /** ARP (IPv4) or NDP (IPv6) on the local link (`-PR`). */
    public fun arp() { probes += DiscoveryProbe.Arp }

    /** TCP SYN ping (`-PS`), port 80 by default. */
    public fun tcpSyn(vararg ports: Int) { probes += DiscoveryProbe.TcpSyn(checked(ports, 80)) }

    /** TCP ACK ping (`-PA`), port 80 by default. */
    public fun tcpAck(vararg ports: Int) { probes += DiscoveryProbe.TcpAck(checked(ports, 80)) }

    /** UDP ping (`-PU`), port 40125 by default. */
    public fun udp(vararg ports: Int) { probes += DiscoveryProbe.Udp(checked(ports, 40125)) }

    /** TCP connect ping: the unprivileged method (80 and 443 by default). */
    public fun tcpConnect(vararg ports: Int) { probes += DiscoveryProbe.TcpConnect(checked(ports, 80, 443)) }

    internal fun build(): List<DiscoveryProbe> = probes.toList()

    private fun checked(ports: IntArray, vararg default: Int): List<Int> {
        val list = if (ports.isEmpty()) default.toList() else ports.toList()
        list.forEach { if (it !in 0..65535) invalid("discovery port $it is out of range (ports are 0..65535)") }
        return list
    }
}
