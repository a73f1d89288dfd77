package dev.kmap.lab

import java.util.Properties
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes

/**
 * The ports one lab host exposes. Every TCP port not listed in [tcp] or [filteredTcp] is
 * closed (the target answers RST); every UDP port not listed in [udp] or [filteredUdp] is
 * closed (ICMP port unreachable, rate limited unless [LabConfig.liftIcmpRateLimit]).
 * A port in both an open and a filtered set is filtered.
 *
 * ```kotlin
 * val ports = HostPorts(tcp = setOf(80, 443), udp = setOf(53), filteredTcp = setOf(8081))
 * ```
 *
 * @property tcp TCP ports with a listener that sends `lab <ip> <port>\r\n` and closes.
 * @property udp UDP ports that echo every datagram back (from the address it was sent to).
 * @property filteredTcp TCP ports whose packets the target drops silently (nftables).
 * @property filteredUdp UDP ports whose packets the target drops silently (nftables).
 */
public data class HostPorts(
    val tcp: Set<Int> = setOf(22, 80, 443, 8080),
    val udp: Set<Int> = setOf(53, 161),
    val filteredTcp: Set<Int> = setOf(8081),
    val filteredUdp: Set<Int> = setOf(162),
) {
    init {
        for ((name, set) in listOf("tcp" to tcp, "udp" to udp, "filteredTcp" to filteredTcp, "filteredUdp" to filteredUdp)) {
            require(set.all { it in 1..65535 }) { "HostPorts.$name: ports must be 1..65535: $set" }
        }
    }
}

/**
 * Configuration of a [Lab]. The defaults do not collide with the shared reference lab
 * (prefix `lab`, 10.231.0.x, fd10:231::, 10.232.0.0/16).
 *
 * Two labs can run at the same time only with different [prefix], [net4], [net6] and
 * [anyIpPrefix]; `up` refuses addresses that are already in use on the machine.
 *
 * ```kotlin
 * val config = LabConfig(prefix = "kmx", net4 = "10.205.0", net6 = "fd10:205::",
 *     anyIpPrefix = null, hosts = 3, liftIcmpRateLimit = true)
 * ```
 *
 * @property prefix name prefix of namespaces (`<prefix>-target<n>`), links (`<prefix>-br0`,
 *   `<prefix>-h<n>`) and state; `[a-z][a-z0-9]{0,9}` so link names stay within 15 chars.
 * @property hosts number of target hosts, 1..200; host n has `<net4>.(10+n)` and `<net6>(10+n)`.
 * @property net4 first three octets of the lab's private IPv4 /24; the scanner side (the
 *   bridge in the root netns) is `<net4>.1`.
 * @property net6 the lab's ULA /64 base ending in `::`; the scanner side is `<net6>1`.
 * @property ports the ports of every host unless [hostPorts] overrides them.
 * @property hostPorts per-host replacement of [ports], keyed by the 1-based host index.
 * @property anyIpPrefix a private IPv4 prefix (/16../32) of which host 1 answers on EVERY
 *   address, routed to host 1 from the root netns; null for none.
 * @property liftIcmpRateLimit lift the ICMP error rate limits in the targets (UDP scans).
 * @property offload false turns checksum/segmentation offload off on the lab links.
 * @property dropRstSourcePorts drop the RSTs the root netns kernel sends from these source
 *   ports into the lab (raw SYN scans); null for none.
 * @property extraAddresses more addresses per host (keyed by the 1-based host index), as last
 *   octets: host n then also owns `<net4>.x` and `<net6>x` for each x, answered by its listener
 *   like its own (so one namespace is many live hosts of a /24, the rest of it absent and
 *   on-link). x in 2..254, none of the hosts' own (11..10+[hosts]), each given once.
 * @property lossPercent every target drops this percentage of the packets it receives and of
 *   those it sends, at random (nftables `numgen random`): a lossy link. 0 for none.
 * @property services real daemons ([LabService]) per host, keyed by the 1-based host index;
 *   their ports are taken out of that host's listener ports. Their facts: [Lab.facts].
 * @property upTimeout limit for `up` (the script run, services included).
 * @property downTimeout limit for `down` (the script run).
 * @property lockTimeout how long `up` waits for another process using the same [prefix].
 */
public data class LabConfig(
    val prefix: String = "kml",
    val hosts: Int = 2,
    val net4: String = "10.201.0",
    val net6: String = "fd10:201::",
    val ports: HostPorts = HostPorts(),
    val hostPorts: Map<Int, HostPorts> = emptyMap(),
    val anyIpPrefix: String? = "10.202.0.0/16",
    val liftIcmpRateLimit: Boolean = false,
    val offload: Boolean = true,
    val dropRstSourcePorts: IntRange? = null,
    val extraAddresses: Map<Int, Set<Int>> = emptyMap(),
    val lossPercent: Int = 0,
    val services: Map<Int, Set<LabService>> = emptyMap(),
    val upTimeout: Duration = 2.minutes,
    val downTimeout: Duration = 1.minutes,
    val lockTimeout: Duration = 10.minutes,
) {
    init {
        require(PREFIX.matches(prefix)) { "prefix must match ${PREFIX.pattern} (link names <= 15 chars): '$prefix'" }
        require(hosts in 1..200) { "hosts must be 1..200: $hosts" }
        val octets = net4.split('.')
        require(octets.size == 3 && octets.all { o -> o.toIntOrNull()?.let { it in 0..255 } == true }) {
            "net4 must be three octets like 10.201.0: '$net4'"
        }
        require(isPrivate4(octets.map { it.toInt() })) { "net4 must be private (10/8, 172.16/12, 192.168/16): '$net4'" }
        require(NET6.matches(net6.lowercase())) { "net6 must be a ULA /64 base ending in :: like fd10:201::: '$net6'" }
        require(hostPorts.keys.all { it in 1..hosts }) { "hostPorts keys must be host indexes 1..$hosts: ${hostPorts.keys}" }
        require(services.keys.all { it in 1..hosts }) { "services keys must be host indexes 1..$hosts: ${services.keys}" }
        anyIpPrefix?.let { checkAnyIp(it) }
        dropRstSourcePorts?.let {
            require(!it.isEmpty() && it.first >= 1 && it.last <= 65535) { "dropRstSourcePorts must be within 1..65535: $it" }
        }
        require(extraAddresses.keys.all { it in 1..hosts }) { "extraAddresses keys must be host indexes 1..$hosts: ${extraAddresses.keys}" }
        val extras = extraAddresses.values.flatten()
        require(extras.all { it in 2..254 && it !in 11..(10 + hosts) }) { "extraAddresses must be last octets 2..254, not the hosts' own 11..${10 + hosts}: $extras" }
        require(extras.size == extras.toSet().size) { "extraAddresses gives an address twice: $extras" }
        require(lossPercent in 0..99) { "lossPercent must be 0..99: $lossPercent" }
        require(upTimeout.isPositive() && downTimeout.isPositive() && !lockTimeout.isNegative()) { "timeouts must be positive" }
    }

    private fun checkAnyIp(p: String) {
        val m = requireNotNull(ANYIP.matchEntire(p)) { "anyIpPrefix must look like 10.202.0.0/16: '$p'" }
        val octets = m.groupValues[1].split('.').map { it.toInt() }
        val len = m.groupValues[2].toInt()
        require(octets.all { it in 0..255 } && len in 16..32) { "anyIpPrefix must be a.b.c.d/16../32: '$p'" }
        require(isPrivate4(octets)) { "anyIpPrefix must be private: '$p'" }
        val base = ipv4ToLong(octets)
        val size = 1L shl (32 - len)
        require(base % size == 0L) { "anyIpPrefix has host bits set: '$p'" }
        val lab = ipv4ToLong(net4.split('.').map { it.toInt() } + 0)
        require(base >= lab + 256 || lab >= base + size) { "anyIpPrefix $p overlaps $net4.0/24" }
    }

    /** The ports of host [index] (1-based): [hostPorts] if set, else [ports]. */
    public fun portsOf(index: Int): HostPorts = hostPorts[index] ?: ports

    /**
     * The services of host [index] (1-based), empty for none.
     *
     * ```kotlin
     * if (LabService.NGINX in config.servicesOf(1)) println("host 1 runs nginx")
     * ```
     */
    public fun servicesOf(index: Int): Set<LabService> = services[index].orEmpty()

    /**
     * This configuration with overrides from system properties `kmap.lab.prefix`,
     * `kmap.lab.net4`, `kmap.lab.net6`, `kmap.lab.anyIpPrefix` (empty = none) and
     * `kmap.lab.hosts`, so that e.g. two builds on one machine can use separate labs:
     *
     * ```kotlin
     * // mvn test -Dkmap.lab.prefix=kmq -Dkmap.lab.net4=10.209.0 -Dkmap.lab.net6=fd10:209:: -Dkmap.lab.anyIpPrefix=10.210.0.0/16
     * val config = LabConfig().withSystemOverrides()
     * ```
     */
    public fun withSystemOverrides(properties: Properties = System.getProperties()): LabConfig {
        fun prop(name: String): String? = properties.getProperty("kmap.lab.$name")?.trim()
        return copy(
            prefix = prop("prefix")?.takeIf { it.isNotEmpty() } ?: prefix,
            net4 = prop("net4")?.takeIf { it.isNotEmpty() } ?: net4,
            net6 = prop("net6")?.takeIf { it.isNotEmpty() } ?: net6,
            anyIpPrefix = prop("anyIpPrefix").let { if (it == null) anyIpPrefix else it.ifEmpty { null } },
            hosts = prop("hosts")?.toIntOrNull() ?: hosts,
        )
    }

    /** Constants of the default configuration. */
    public companion object {
        /**
         * The default configuration: prefix `kml`, 2 hosts at 10.201.0.11-12 and
         * fd10:201::11-12, AnyIP 10.202.0.0/16.
         *
         * ```kotlin
         * val lab = Lab(LabConfig.DEFAULT)
         * ```
         */
        public val DEFAULT: LabConfig = LabConfig()

        internal fun isPrivate4(o: List<Int>): Boolean =
            o[0] == 10 || (o[0] == 172 && o[1] in 16..31) || (o[0] == 192 && o[1] == 168)

        internal fun ipv4ToLong(o: List<Int>): Long = o.fold(0L) { acc, b -> (acc shl 8) or b.toLong() }
    }
}

// top level, not in the companion: they must exist before the companion builds DEFAULT
private val PREFIX = Regex("[a-z][a-z0-9]{0,9}")
private val NET6 = Regex("f[cd][0-9a-f]{2}(:[0-9a-f]{1,4}){0,3}::")
private val ANYIP = Regex("""(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})/(\d{1,2})""")

/** The environment for lab.sh that describes this configuration. */
internal fun LabConfig.toEnv(): Map<String, String> {
    fun ports(set: Set<Int>) = set.sorted().joinToString(" ")
    val env = linkedMapOf(
        "KMAP_LAB_PREFIX" to prefix,
        "KMAP_LAB_HOSTS" to hosts.toString(),
        "KMAP_LAB_NET4" to net4,
        "KMAP_LAB_NET6" to net6.lowercase(),
        "KMAP_LAB_TCP_PORTS" to ports(this.ports.tcp),
        "KMAP_LAB_UDP_PORTS" to ports(this.ports.udp),
        "KMAP_LAB_FILTERED_TCP_PORTS" to ports(this.ports.filteredTcp),
        "KMAP_LAB_FILTERED_UDP_PORTS" to ports(this.ports.filteredUdp),
        "KMAP_LAB_ANYIP" to (anyIpPrefix ?: ""),
        "KMAP_LAB_ICMP_RATELIMIT" to (if (liftIcmpRateLimit) "0" else ""),
        "KMAP_LAB_OFFLOAD" to (if (offload) "on" else "off"),
        "KMAP_LAB_DROP_RST_SPORTS" to (dropRstSourcePorts?.let { "${it.first}:${it.last}" } ?: ""),
        "KMAP_LAB_LOSS" to lossPercent.toString(),
    )
    for ((i, x) in extraAddresses) env["KMAP_LAB_EXTRA_$i"] = x.sorted().joinToString(" ")
    for ((i, s) in services) {
        if (s.isNotEmpty()) env["KMAP_LAB_SERVICES_$i"] = s.sortedBy { it.ordinal }.joinToString(" ") { it.scriptName }
    }
    for ((i, p) in hostPorts) {
        env["KMAP_LAB_TCP_PORTS_$i"] = ports(p.tcp)
        env["KMAP_LAB_UDP_PORTS_$i"] = ports(p.udp)
        env["KMAP_LAB_FILTERED_TCP_PORTS_$i"] = ports(p.filteredTcp)
        env["KMAP_LAB_FILTERED_UDP_PORTS_$i"] = ports(p.filteredUdp)
    }
    return env
}
