package dev.kmap.dsl

/**
 * The receiver of [passive]: what to read, the limits, the reports.
 *
 * ```kotlin
 * passive {
 *     read("monday.pcapng"); read("tuesday.pcap")
 *     limits { maxFlows = 50_000 }
 *     output { xml("passive.xml") }
 * }
 * passive { listen("eth0", filter = "tcp or udp port 53"); duration(60_000) }
 * ```
 */
@KmapDsl
public class PassiveBuilder internal constructor() {
    private val sources = ArrayList<PassiveSource>()
    private var limits = PassiveLimits()
    private var duration: Long? = null
    private var osDatabase: String? = null
    private val outputs = OutputBuilder()

    /** Reads a pcap or pcapng file ("-": standard input). */
    public fun read(path: String) { sources += PassiveSource.File(path) }

    /** Captures live on [interfaceName] with a libpcap [filter] (null: everything). */
    public fun listen(interfaceName: String, filter: String? = null, snapLength: Int = 65535, promiscuous: Boolean = true) {
        sources += PassiveSource.Interface(interfaceName, filter, snapLength, promiscuous)
    }

    /** Stops a live capture after [millis] milliseconds. */
    public fun duration(millis: Long) { duration = millis }

    /** Uses the p0f signature file at [path] for OS hints instead of the built-in signatures. */
    public fun osDatabase(path: String) { osDatabase = path }

    /** Changes the limits. */
    public fun limits(block: PassiveLimitsBuilder.() -> Unit) { limits = PassiveLimitsBuilder(limits).apply(block).build() }

    /** Reports to write, as for a scan. */
    public fun output(block: OutputBuilder.() -> Unit) { outputs.apply(block) }

    internal fun build(): PassivePlan = PassivePlan(sources.toList(), limits, duration, osDatabase, outputs.build())
}

/**
 * The receiver of `limits { }` in [passive]: every field of [PassiveLimits].
 *
 * ```kotlin
 * passive { read("x.pcap"); limits { maxFlows = 1000; maxBufferTotal = 8L shl 20 } }
 * ```
 */
@KmapDsl
public class PassiveLimitsBuilder internal constructor(from: PassiveLimits) {
    /** See [PassiveLimits.maxFlows]. */ public var maxFlows: Int = from.maxFlows
    /** See [PassiveLimits.maxBufferPerFlow]. */ public var maxBufferPerFlow: Int = from.maxBufferPerFlow
    /** See [PassiveLimits.maxBufferTotal]. */ public var maxBufferTotal: Long = from.maxBufferTotal
    /** See [PassiveLimits.tcpIdleMillis]. */ public var tcpIdleMillis: Long = from.tcpIdleMillis
    /** See [PassiveLimits.udpIdleMillis]. */ public var udpIdleMillis: Long = from.udpIdleMillis
    /** See [PassiveLimits.otherIdleMillis]. */ public var otherIdleMillis: Long = from.otherIdleMillis
    /** See [PassiveLimits.packetEvents]. */ public var packetEvents: Boolean = from.packetEvents

    internal fun build() = PassiveLimits(maxFlows, maxBufferPerFlow, maxBufferTotal, tcpIdleMillis, udpIdleMillis, otherIdleMillis, packetEvents)
}
