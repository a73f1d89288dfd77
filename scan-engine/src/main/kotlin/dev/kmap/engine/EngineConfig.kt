package dev.kmap.engine

import dev.kmap.engine.internal.SystemNanoClock
import dev.kmap.engine.internal.stages.BuiltInStages
import dev.kmap.packet.RouteResolver
import java.io.File

/**
 * How the engine runs a plan: the [modules] that implement scan types and discovery probes, the
 * [stages] every host group runs through (plus those [stageProviders] find on the class path),
 * the [hostProcessors] run on each finished host in the collector, name resolution, routes, how
 * target files are read, the clock (nanoseconds; tests inject a fake), a [control] for graceful
 * stops, how often progress and checkpoints are reported, and a [resume] point.
 *
 * A data class: `copy` keeps every field, so front ends change what they set and nothing else.
 *
 * ```kotlin
 * val report = scan(plan, EngineConfig(progressIntervalMillis = 500))
 * val withBanner = EngineConfig().withStages(BannerStage)   // one more stage, at its phase
 * ```
 *
 * @property routes where on-link targets are told from routed ones (default discovery: ARP/NDP
 *   for on-link targets); null reads the kernel's tables when first needed.
 * @property checkpointIntervalMillis how often a [ScanEvent.Checkpoint] is reported within a host
 *   group (one is always reported after each group); 0 only after groups.
 */
public data class EngineConfig(
    val modules: List<ProbeModule> = defaultModules,
    val resolver: HostResolver = HostResolver.System,
    val readLines: (path: String) -> List<String> = ::readTargetFile,
    val clock: () -> Long = SystemNanoClock,
    val control: ScanControl = ScanControl(),
    val progressIntervalMillis: Long = 1_000,
    val stages: List<ScanStage> = defaultStages,
    val stageProviders: List<StageProvider> = StageProvider.onClassPath(),
    val hostProcessors: List<HostProcessor> = emptyList(),
    val routes: RouteResolver? = null,
    val checkpointIntervalMillis: Long = 10_000,
    val resume: ResumeState? = null,
) {
    /** This configuration with [more] stages added (each runs at its [ScanStage.phase]). */
    public fun withStages(vararg more: ScanStage): EngineConfig = copy(stages = stages + more)

    public companion object {
        /**
         * The modules kmap ships: the connect scan, the raw TCP scans, the UDP scan, and ICMP and
         * ARP/NDP discovery. The order is nmap's order of default discovery probes.
         */
        public val defaultModules: List<ProbeModule> = listOf(IcmpDiscoveryModule.ECHO, ConnectScanModule) + RawTcpScanModule.all +
            UdpScanModule + IcmpDiscoveryModule.TIMESTAMP + NeighbourDiscoveryModule

        /** The built-in stages: name resolution, discovery, reverse DNS, the port scan and service detection (`-sV`). */
        public val defaultStages: List<ScanStage> = BuiltInStages.all

        /** Reads a target file; `-` is standard input. Raises [dev.kmap.dsl.InvalidSpecException] if unreadable. */
        public fun readTargetFile(path: String): List<String> = try {
            if (path == "-") generateSequence(::readLine).toList() else File(path).readLines()
        } catch (e: java.io.IOException) {
            throw dev.kmap.dsl.InvalidSpecException("cannot read target file \"$path\": ${e.message ?: e.javaClass.simpleName}")
        }
    }
}
