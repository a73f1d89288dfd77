package dev.kmap.engine


/**
 * A step run on every finished host before [ScanEvent.HostFinished] reaches the collector, so
 * whatever it adds streams into every output format. Processors ([EngineConfig.hostProcessors])
 * run in list order in the collecting coroutine, one host at a time, while the scan goes on
 * upstream; they may suspend. A processor must return the host's result (changed or not) and
 * should not throw: a failure inside it fails the scan. Work that belongs to the scan itself
 * (service detection, scripts selected by the plan) is a [ScanStage] instead: stages run inside
 * the pipeline, may report ports as they go, and are what a plan field is checked against.
 *
 * ```kotlin
 * val tagPorts = HostProcessor { host -> host.copy(hostScripts = host.hostScripts + ScriptOutput("note", "seen")) }
 * scan(plan, EngineConfig(hostProcessors = listOf(tagPorts)))
 * ```
 */
public fun interface HostProcessor {
    /** Returns [result], possibly with more information (e.g. [PortResult.scripts], [HostResult.hostScripts]). */
    public suspend fun process(result: HostResult): HostResult
}
