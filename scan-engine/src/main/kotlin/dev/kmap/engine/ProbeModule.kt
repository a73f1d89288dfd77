package dev.kmap.engine

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanType
import kotlin.reflect.KClass

/**
 * A scan technique as a plug-in: how to send one probe, how to read replies, and what silence
 * means. The engine runs every module through the same loop (send new probes, retransmit the
 * expired, wait for replies, process them) and holds no list of scan kinds of its own; modules
 * are registered in [EngineConfig.modules].
 *
 * ```kotlin
 * val config = EngineConfig(modules = EngineConfig.defaultModules + MyUdpModule)
 * ```
 */
@SubclassOptInRequired(KmapExtensionPoint::class)
public interface ProbeModule {
    /** A short name for messages, e.g. `connect`. */
    public val name: String

    /** The port scan types this module performs. */
    public val scanTypes: Set<ScanType>

    /**
     * Scan types this module may stand in for when their own modules cannot run here (nmap runs a
     * connect scan when a SYN scan lacks privileges). The engine says so with a [ScanEvent.Warning].
     */
    public val standsInFor: Set<ScanType> get() = emptySet()

    /** The host discovery probes this module performs. */
    public val discoveryProbes: Set<KClass<out DiscoveryProbe>>

    /** The verdict for a port whose every probe went unanswered (e.g. filtered, open|filtered). */
    public val silence: Verdict

    /**
     * Why this module cannot run here (e.g. no raw-socket privilege), or null when it can.
     * The engine reports it as an error, or falls back where the plan allows.
     */
    public fun unavailableReason(): String? = null

    /**
     * How many sessions of this module may run at once, each on its own thread with a disjoint
     * share of the probes (and of any rate limit). 1 for modules that must see every reply in one
     * place; the connect scan uses the cores, since its cost is per-socket system calls.
     */
    public val concurrentSessions: Int get() = 1

    /** How the timing treats this module's probes (UDP-like scans: [TimingProfile.ERROR_RATE_LIMITED]). */
    public val timingProfile: TimingProfile get() = TimingProfile.STANDARD

    /** What this module adds to the default host discovery (null: nothing). */
    public val defaultDiscovery: DefaultDiscovery? get() = null

    /** The ports [probe] (one of [discoveryProbes]) goes to; 0 stands for "no port" (ICMP). */
    public fun discoveryPorts(probe: DiscoveryProbe): List<Int> = listOf(0)

    /** Opens a session for one run of the probe loop. Called on the engine's I/O thread. */
    public fun open(): ProbeSession
}
