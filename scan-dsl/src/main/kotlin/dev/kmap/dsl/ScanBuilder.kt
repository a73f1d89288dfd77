package dev.kmap.dsl

/**
 * The receiver of [scan]: each call records one part of the plan.
 *
 * ```kotlin
 * scan { targets("127.0.0.1"); ports("1-1024"); connect(); timing(T4) }
 * ```
 */
@KmapDsl
public class ScanBuilder internal constructor() {
    private val targets = TargetsBuilder()
    private var ports: PortsBuilder? = null
    private val scanTypes = LinkedHashSet<ScanType>()
    private var pingOnly = false
    private var discovery = Discovery()
    private var timing = Timing()
    private var serviceDetection: ServiceDetection? = null
    private var osDetection = false
    private val scripts = ArrayList<ScriptSelection>()
    private val outputs = OutputBuilder()
    private var dns = DnsResolution.DEFAULT
    private var preferIpv6 = false
    private var listOnly = false

    /** Timing template T0 (paranoid), usable as `timing(T0)`. */
    public val T0: TimingTemplate get() = TimingTemplate.T0
    /** Timing template T1 (sneaky). */
    public val T1: TimingTemplate get() = TimingTemplate.T1
    /** Timing template T2 (polite). */
    public val T2: TimingTemplate get() = TimingTemplate.T2
    /** Timing template T3 (normal, the default). */
    public val T3: TimingTemplate get() = TimingTemplate.T3
    /** Timing template T4 (aggressive). */
    public val T4: TimingTemplate get() = TimingTemplate.T4
    /** Timing template T5 (insane). */
    public val T5: TimingTemplate get() = TimingTemplate.T5

    /** Adds targets and exclusions. */
    public fun targets(block: TargetsBuilder.() -> Unit) { targets.apply(block) }

    /** Adds targets in nmap syntax, e.g. `targets("10.0.0.0/24", "db.internal")`. */
    public fun targets(vararg specs: String) { targets.apply { specs.forEach { add(it) } } }

    /** Adds ports. Without any, the 1000 most frequent ports of each scanned protocol are used. */
    public fun ports(block: PortsBuilder.() -> Unit) { (ports ?: PortsBuilder().also { ports = it }).apply(block) }

    /** Adds ports in nmap syntax, e.g. `ports("22,80,U:53")`. */
    public fun ports(spec: String) { ports { spec(spec) } }

    /** Adds a scan technique; one TCP technique may be combined with [udp]. */
    public fun scanType(type: ScanType) { scanTypes += type }

    /** TCP connect scan (`-sT`), needs no privileges. */
    public fun connect() { scanType(ScanType.CONNECT) }
    /** TCP SYN scan (`-sS`). */
    public fun syn() { scanType(ScanType.SYN) }
    /** TCP FIN scan (`-sF`). */
    public fun fin() { scanType(ScanType.FIN) }
    /** TCP NULL scan (`-sN`). */
    public fun nullScan() { scanType(ScanType.NULL) }
    /** TCP Xmas scan (`-sX`). */
    public fun xmas() { scanType(ScanType.XMAS) }
    /** TCP ACK scan (`-sA`): maps firewall rules, unfiltered or filtered. */
    public fun ack() { scanType(ScanType.ACK) }
    /** TCP Window scan (`-sW`). */
    public fun window() { scanType(ScanType.WINDOW) }
    /** TCP Maimon scan (`-sM`). */
    public fun maimon() { scanType(ScanType.MAIMON) }
    /** UDP scan (`-sU`). */
    public fun udp() { scanType(ScanType.UDP) }

    /** Host discovery only, no port scan (`-sn`). */
    public fun pingOnly() { pingOnly = true }

    /** Chooses the host discovery probes. */
    public fun discovery(block: DiscoveryBuilder.() -> Unit) {
        discovery = discovery.copy(probes = discovery.probes + DiscoveryBuilder().apply(block).build())
    }

    /** Treats every host as up (`-Pn`). */
    public fun skipDiscovery() { discovery = discovery.copy(skip = true) }

    /** Discovers hosts with IP probes even on the local link, where the default is ARP/NDP (`--send-ip`). */
    public fun sendIp() { discovery = discovery.copy(sendIp = true) }

    /** List scan (`-sL`): lists the targets, with reverse DNS unless `dns(NEVER)`, and sends them nothing. */
    public fun listOnly() { listOnly = true }

    /** Chooses a timing [template] and overrides some of its values. */
    public fun timing(template: TimingTemplate = TimingTemplate.T3, block: TimingBuilder.() -> Unit = {}) {
        timing = TimingBuilder(template).apply(block).build()
    }

    /** Service and version detection (`-sV`). */
    public fun serviceDetection(intensity: Int = 7) { serviceDetection = ServiceDetection(intensity) }

    /** Operating system detection (`-O`). */
    public fun osDetection() { osDetection = true }

    /** Runs scripts chosen by name, glob or category, with arguments. */
    public fun script(selector: String, block: ScriptBuilder.() -> Unit = {}) {
        scripts += ScriptBuilder(selector).apply(block).build()
    }

    /** Adds reports to write. */
    public fun output(block: OutputBuilder.() -> Unit) { outputs.apply(block) }

    /** Reverse DNS policy (`-n` is [DnsResolution.NEVER], `-R` is [DnsResolution.ALWAYS]). */
    public fun dns(mode: DnsResolution) { dns = mode }

    /** Resolves host names to IPv6 addresses (`-6`). */
    public fun ipv6() { preferIpv6 = true }

    internal fun build(): ScanPlan {
        val types = scanTypes.toList()
        val tcpTypes = types.filter { it.protocol == Protocol.TCP }
        if (tcpTypes.size > 1) {
            invalid("scan types ${tcpTypes.joinToString(" and ") { it.flag }} cannot be combined (choose one TCP scan type; -sU may be added)")
        }
        if (listOnly && (pingOnly || types.isNotEmpty())) {
            invalid("list scan -sL cannot be combined with ${if (pingOnly) "ping scan -sn" else "port scan ${types.first().flag}"} (-sL sends nothing)")
        }
        if (pingOnly && types.isNotEmpty()) {
            invalid("ping scan -sn cannot be combined with port scan ${types.first().flag} (-sn skips the port scan)")
        }
        val protocols = if (types.isEmpty()) setOf(Protocol.TCP) else types.map { it.protocol }.toSet()
        val portSet = when {
            ports != null -> ports!!.build(protocols)
            pingOnly || listOnly -> PortSet()
            else -> PortsBuilder().apply { top(1000) }.build(protocols)
        }
        if (!pingOnly && !listOnly && portSet.isEmpty()) invalid("no ports to scan (the port list is empty after exclusions)")
        return ScanPlan(
            targets = targets.build(),
            ports = portSet,
            scanTypes = types,
            pingOnly = pingOnly,
            discovery = discovery,
            timing = timing,
            serviceDetection = serviceDetection,
            osDetection = osDetection,
            scripts = scripts.toList(),
            outputs = outputs.build(),
            dns = dns,
            preferIpv6 = preferIpv6,
            listOnly = listOnly,
        )
    }
}
