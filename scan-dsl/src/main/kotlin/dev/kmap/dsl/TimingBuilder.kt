package dev.kmap.dsl

import kotlin.time.Duration

/**
 * The receiver of `timing(template) { }`: overrides of the template's values; unset ones keep it.
 *
 * ```kotlin
 * scan { timing(T4) { maxRetries = 2; minRate = 10_000; hostTimeout = 30.seconds } }
 * ```
 */
@KmapDsl
public class TimingBuilder internal constructor(private val template: TimingTemplate) {
    /** Retransmissions of an unanswered probe (`--max-retries`). */
    public var maxRetries: Int? = null
    /** Packets per second at least (`--min-rate`). */
    public var minRate: Number? = null
    /** Packets per second at most (`--max-rate`). */
    public var maxRate: Number? = null
    /** Give up on a host after this long (`--host-timeout`). */
    public var hostTimeout: Duration? = null
    /** Delay between probes to a host (`--scan-delay`). */
    public var scanDelay: Duration? = null
    /** Upper bound of the adaptive scan delay (`--max-scan-delay`). */
    public var maxScanDelay: Duration? = null
    /** Lower bound of the probe timeout (`--min-rtt-timeout`). */
    public var minRttTimeout: Duration? = null
    /** Upper bound of the probe timeout (`--max-rtt-timeout`). */
    public var maxRttTimeout: Duration? = null
    /** Probe timeout before any RTT is measured (`--initial-rtt-timeout`). */
    public var initialRttTimeout: Duration? = null
    /** Probes in flight at least (`--min-parallelism`). */
    public var minParallelism: Int? = null
    /** Probes in flight at most (`--max-parallelism`). */
    public var maxParallelism: Int? = null

    internal fun build(): Timing = Timing(
        template = template,
        maxRetries = maxRetries,
        minRate = minRate?.toDouble(),
        maxRate = maxRate?.toDouble(),
        hostTimeoutMillis = hostTimeout?.inWholeMilliseconds,
        scanDelayMillis = scanDelay?.inWholeMilliseconds,
        maxScanDelayMillis = maxScanDelay?.inWholeMilliseconds,
        minRttTimeoutMillis = minRttTimeout?.inWholeMilliseconds,
        maxRttTimeoutMillis = maxRttTimeout?.inWholeMilliseconds,
        initialRttTimeoutMillis = initialRttTimeout?.inWholeMilliseconds,
        minParallelism = minParallelism,
        maxParallelism = maxParallelism,
    )
}
