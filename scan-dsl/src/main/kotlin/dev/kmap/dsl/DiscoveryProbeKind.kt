package dev.kmap.dsl

/**
 * The kinds of host discovery probe and their nmap flags: the one registry of discovery probes.
 * The CLI's `-P*` options, their help, nmap's glued forms (`-PS22,443`, `-PS` alone for the
 * [defaultPorts]) and [DiscoveryBuilder]'s defaults derive from it. Kinds with [defaultPorts]
 * take ports; the others take none. The unprivileged TCP connect ping has no flag: it is what
 * discovery does without raw packets.
 *
 * ```kotlin
 * val probe = DiscoveryProbeKind.TCP_SYN.probe(listOf(22, 443)) // DiscoveryProbe.TcpSyn([22, 443])
 * DiscoveryProbeKind.entries.forEach { println("${it.flag}  ${it.description}") }
 * ```
 */
public enum class DiscoveryProbeKind(
    /** nmap's flag. */
    public val flag: String,
    /** kmap's long option for kinds that take ports (`--ping-syn`), null otherwise. */
    public val longFlag: String?,
    /** The ports probed when none are given; null for kinds without ports. */
    public val defaultPorts: List<Int>?,
    /** One line for `--help` and the docs. */
    public val description: String,
) {
    ICMP_ECHO("-PE", null, null, "ICMP echo discovery"),
    ICMP_TIMESTAMP("-PP", null, null, "ICMP timestamp discovery"),
    ARP("-PR", null, null, "ARP/NDP discovery on the local link (the default for on-link targets as root)"),
    TCP_SYN("-PS", "--ping-syn", listOf(80), "TCP SYN discovery to PORTS (-PS22,443; -PS alone: 80)"),
    TCP_ACK("-PA", "--ping-ack", listOf(80), "TCP ACK discovery to PORTS (-PA alone: 80)"),
    UDP("-PU", "--ping-udp", listOf(40125), "UDP discovery to PORTS (-PU alone: 40125)"),
    ;

    /** True when the probe is sent to ports. */
    public val takesPorts: Boolean get() = defaultPorts != null

    /** The probe of this kind to [ports] (ignored by kinds without ports; empty: [defaultPorts]). */
    public fun probe(ports: List<Int> = emptyList()): DiscoveryProbe {
        val p = ports.ifEmpty { defaultPorts.orEmpty() }
        p.forEach { if (it !in 0..65535) invalid("discovery port $it is out of range (ports are 0..65535)") }
        return when (this) {
            ICMP_ECHO -> DiscoveryProbe.IcmpEcho
            ICMP_TIMESTAMP -> DiscoveryProbe.IcmpTimestamp
            ARP -> DiscoveryProbe.Arp
            TCP_SYN -> DiscoveryProbe.TcpSyn(p)
            TCP_ACK -> DiscoveryProbe.TcpAck(p)
            UDP -> DiscoveryProbe.Udp(p)
        }
    }
}
