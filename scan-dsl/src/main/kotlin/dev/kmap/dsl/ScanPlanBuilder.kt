package dev.kmap.dsl

/**
 * A fluent plan builder for Java (the Kotlin DSL is [scan]). Each call records one step of the
 * DSL; [build] validates and returns the [ScanPlan], raising [InvalidSpecException] on bad input.
 *
 * ```java
 * ScanPlan plan = new ScanPlanBuilder()
 *     .targets("10.0.0.0/24").exclude("10.0.0.1")
 *     .ports("22,80,443").connect()
 *     .timing(TimingTemplate.T4).maxRetries(2)
 *     .skipDiscovery().noDns()
 *     .build();
 * ```
 */
public class ScanPlanBuilder {
    private val steps = ArrayList<ScanBuilder.() -> Unit>()
    private val targetSteps = ArrayList<TargetsBuilder.() -> Unit>()
    private var template = TimingTemplate.T3
    private val timingSteps = ArrayList<TimingBuilder.() -> Unit>()

    private fun step(s: ScanBuilder.() -> Unit): ScanPlanBuilder = apply { steps += s }
    private fun target(s: TargetsBuilder.() -> Unit): ScanPlanBuilder = apply { targetSteps += s }
    private fun timingStep(s: TimingBuilder.() -> Unit): ScanPlanBuilder = apply { timingSteps += s }

    /** Adds targets in nmap syntax. */
    public fun targets(vararg specs: String): ScanPlanBuilder = target { specs.forEach { add(it) } }
    /** Adds a target file (`-iL`). */
    public fun targetFile(path: String): ScanPlanBuilder = target { file(path) }
    /** Leaves out targets. */
    public fun exclude(vararg specs: String): ScanPlanBuilder = target { exclude(*specs) }
    /** Visits hosts in a seeded random order. */
    public fun randomize(seed: Long): ScanPlanBuilder = target { randomize(seed) }
    /** Scans shard [index] of [count]. */
    public fun shard(index: Int, count: Int): ScanPlanBuilder = target { shard(index, count) }
    /** Adds ports in nmap syntax. */
    public fun ports(spec: String): ScanPlanBuilder = step { ports(spec) }
    /** Adds the [n] most frequent ports. */
    public fun topPorts(n: Int): ScanPlanBuilder = step { ports { top(n) } }
    /** Adds a scan type. */
    public fun scanType(type: ScanType): ScanPlanBuilder = step { scanType(type) }
    /** TCP connect scan. */
    public fun connect(): ScanPlanBuilder = scanType(ScanType.CONNECT)
    /** TCP SYN scan. */
    public fun syn(): ScanPlanBuilder = scanType(ScanType.SYN)
    /** UDP scan. */
    public fun udp(): ScanPlanBuilder = scanType(ScanType.UDP)
    /** Host discovery only. */
    public fun pingOnly(): ScanPlanBuilder = step { pingOnly() }
    /** Treats every host as up (`-Pn`). */
    public fun skipDiscovery(): ScanPlanBuilder = step { skipDiscovery() }
    /** IP discovery probes even on the local link (`--send-ip`). */
    public fun sendIp(): ScanPlanBuilder = step { sendIp() }
    /** List scan (`-sL`): lists the targets and sends nothing. */
    public fun listOnly(): ScanPlanBuilder = step { listOnly() }
    /** Resolves host names to IPv6 addresses (`-6`). */
    public fun ipv6(): ScanPlanBuilder = step { ipv6() }
    /** No reverse DNS (`-n`). */
    public fun noDns(): ScanPlanBuilder = step { dns(DnsResolution.NEVER) }
    /** A timing template. */
    public fun timing(template: TimingTemplate): ScanPlanBuilder = apply { this.template = template }
    /** `--max-retries`. */
    public fun maxRetries(n: Int): ScanPlanBuilder = timingStep { maxRetries = n }
    /** `--min-rate`. */
    public fun minRate(perSecond: Double): ScanPlanBuilder = timingStep { minRate = perSecond }
    /** `--max-rate`. */
    public fun maxRate(perSecond: Double): ScanPlanBuilder = timingStep { maxRate = perSecond }
    /** `--host-timeout` in milliseconds. */
    public fun hostTimeoutMillis(ms: Long): ScanPlanBuilder = timingStep { hostTimeout = kotlin.time.Duration.parse("${ms}ms") }
    /** Service and version detection. */
    public fun serviceDetection(intensity: Int): ScanPlanBuilder = step { serviceDetection(intensity) }
    /** Runs a script with arguments. */
    public fun script(selector: String, args: Map<String, String>): ScanPlanBuilder =
        step { script(selector) { args.forEach { (k, v) -> arg(k, v) } } }
    /** Adds a report. */
    public fun output(format: OutputFormat, path: String): ScanPlanBuilder = step { output { format(format, path) } }

    /** Validates and returns the plan. */
    public fun build(): ScanPlan = scan {
        targets { targetSteps.forEach { it() } }
        timing(template) { timingSteps.forEach { it() } }
        steps.forEach { it() }
    }
}
