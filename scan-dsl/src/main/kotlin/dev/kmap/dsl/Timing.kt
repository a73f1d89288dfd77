package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * Timing: a [template] plus explicit overrides (null = the template's value). The effective
 * values are the `effective*` properties.
 *
 * ```kotlin
 * val t = scan { timing(T4) { maxRetries = 2; minRate = 10_000.0 } }.timing
 * println(t.effectiveMaxRetries) // 2
 * ```
 */
@Serializable
public data class Timing(
    val template: TimingTemplate = TimingTemplate.T3,
    val maxRetries: Int? = null,
    val minRate: Double? = null,
    val maxRate: Double? = null,
    val hostTimeoutMillis: Long? = null,
    val scanDelayMillis: Long? = null,
    val maxScanDelayMillis: Long? = null,
    val minRttTimeoutMillis: Long? = null,
    val maxRttTimeoutMillis: Long? = null,
    val initialRttTimeoutMillis: Long? = null,
    val minParallelism: Int? = null,
    val maxParallelism: Int? = null,
) {
    init {
        maxRetries?.let { checkRange(it, "max retries", 0..1_000) }
        minRate?.let { checkRate("min rate", it) }
        maxRate?.let { checkRate("max rate", it) }
        if (minParallelism != null && maxParallelism != null && minParallelism > maxParallelism) {
            invalid("min parallelism $minParallelism is above max parallelism $maxParallelism (expected min <= max)")
        }
        if (minRate != null && maxRate != null && minRate > maxRate) {
            invalid("min rate $minRate is above max rate $maxRate (expected min rate <= max rate)")
        }
        listOf(
            "host timeout" to hostTimeoutMillis, "scan delay" to scanDelayMillis, "max scan delay" to maxScanDelayMillis,
            "min RTT timeout" to minRttTimeoutMillis, "max RTT timeout" to maxRttTimeoutMillis,
            "initial RTT timeout" to initialRttTimeoutMillis,
        ).forEach { (name, v) -> if (v != null && v < 0) invalid("$name ${v}ms is negative (expected a duration >= 0)") }
        minParallelism?.let { checkRange(it, "min parallelism", 1..1_000_000) }
        maxParallelism?.let { checkRange(it, "max parallelism", 1..1_000_000) }
    }

    public val effectiveMaxRetries: Int get() = maxRetries ?: template.maxRetries
    public val effectiveHostTimeoutMillis: Long get() = hostTimeoutMillis ?: template.hostTimeoutMillis
    public val effectiveScanDelayMillis: Long get() = scanDelayMillis ?: template.scanDelayMillis
    public val effectiveMaxScanDelayMillis: Long get() = maxScanDelayMillis ?: template.maxScanDelayMillis
    public val effectiveMinRttTimeoutMillis: Long get() = minRttTimeoutMillis ?: template.minRttTimeoutMillis
    public val effectiveMaxRttTimeoutMillis: Long get() = maxRttTimeoutMillis ?: template.maxRttTimeoutMillis
    public val effectiveInitialRttTimeoutMillis: Long get() = initialRttTimeoutMillis ?: template.initialRttTimeoutMillis
    public val effectiveMaxParallelism: Int? get() = maxParallelism ?: template.maxParallelism

    private companion object {
        fun checkRange(v: Int, name: String, range: IntRange) {
            if (v !in range) invalid("$name $v is out of range (expected ${range.first}..${range.last})")
        }

        fun checkRate(name: String, v: Double) {
            if (v.isNaN() || v <= 0.0 || v > 100_000_000.0) invalid("$name $v is out of range (expected a rate in packets per second, 0 < rate <= 100000000)")
        }
    }
}
