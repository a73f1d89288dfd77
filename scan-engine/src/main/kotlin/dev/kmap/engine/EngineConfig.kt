package dev.kmap.engine

import java.io.File

/**
 * How the engine runs a plan: the [modules] that implement scan types and discovery probes,
 * name resolution, how target files are read, the clock (nanoseconds; tests inject a fake), a
 * [control] for graceful stops, how often progress is reported, and a [hostProcessor] run on each
 * finished host before it is reported (the script runner's seam; null runs nothing).
 *
 * ```kotlin
 * val report = scan(plan, EngineConfig(progressIntervalMillis = 500))
 * ```
 */
public class EngineConfig(
    public val modules: List<ProbeModule> = defaultModules,
    public val resolver: HostResolver = HostResolver.System,
    public val readLines: (path: String) -> List<String> = ::readTargetFile,
    public val clock: () -> Long = System::nanoTime,
    public val control: ScanControl = ScanControl(),
    public val progressIntervalMillis: Long = 1_000,
    public val hostProcessor: HostProcessor? = null,
) {
    public companion object {
        /** The modules kmap ships: the connect scan, the raw TCP scans and the UDP scan. */
        public val defaultModules: List<ProbeModule> = listOf(ConnectScanModule) + RawTcpScanModule.all + UdpScanModule +
            IcmpDiscoveryModule.ECHO + IcmpDiscoveryModule.TIMESTAMP + NeighbourDiscoveryModule

        /** Reads a target file; `-` is standard input. Raises [dev.kmap.dsl.InvalidSpecException] if unreadable. */
        public fun readTargetFile(path: String): List<String> = try {
            if (path == "-") generateSequence(::readLine).toList() else File(path).readLines()
        } catch (e: java.io.IOException) {
            throw dev.kmap.dsl.InvalidSpecException("cannot read target file \"$path\": ${e.message ?: e.javaClass.simpleName}")
        }
    }
}
