package dev.kmap.engine

/**
 * A step run on every finished host before [ScanEvent.HostFinished] reaches the collector, so
 * whatever it adds (script results, for instance) streams into every output format. It is called
 * from the collecting coroutine, one host at a time, while the scan goes on upstream; it may
 * suspend. It must return the host's result (changed or not) and should not throw: a failure
 * inside it fails the scan.
 *
 * ```kotlin
 * val tagPorts = HostProcessor { host -> host.copy(hostScripts = host.hostScripts + ScriptOutput("note", "seen")) }
 * scan(plan, EngineConfig(hostProcessor = tagPorts))
 * ```
 */
public fun interface HostProcessor {
    /** Returns [result], possibly with more information (e.g. [PortResult.scripts], [HostResult.hostScripts]). */
    public suspend fun process(result: HostResult): HostResult
}
