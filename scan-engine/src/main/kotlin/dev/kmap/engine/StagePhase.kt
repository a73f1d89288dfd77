package dev.kmap.engine

/**
 * Where a [ScanStage] runs in a host group's pipeline. Stages run in phase order; stages of one
 * phase run in the order they are registered ([EngineConfig.stages], then class-path
 * [StageProvider]s). The built-in stages take [RESOLVE], [DISCOVERY], [REVERSE_DNS] and
 * [PORT_SCAN]; the later phases are where service detection, OS detection, traceroute and
 * scripts plug in. A list scan (`-sL`) runs only the phases up to [REVERSE_DNS].
 *
 * Between [REVERSE_DNS] and [PORT_SCAN] the engine reports hosts found down and sends
 * [ScanEvent.HostStarted] for the others: stages from [PORT_SCAN] on see only hosts found up.
 *
 * ```kotlin
 * override val phase = StagePhase.SERVICE_DETECTION // after the port scan, before scripts
 * ```
 */
public enum class StagePhase {
    /** Host names become addresses (unresolvable ones are reported and leave the group). */
    RESOLVE,

    /** Hosts are found up or down (skipped with `-Pn`). */
    DISCOVERY,

    /** Reverse DNS names (none with `-n`; every host with `-R`). */
    REVERSE_DNS,

    /** The port scan proper: each scan type's module probes every port of the up hosts. */
    PORT_SCAN,

    /** Services and versions of open ports (`-sV`). */
    SERVICE_DETECTION,

    /** Operating system detection (`-O`). */
    OS_DETECTION,

    /** The path to each host (`--traceroute`). */
    TRACEROUTE,

    /** Scripts on hosts and ports (`--script`, `-sC`). */
    SCRIPTS,
}
