package dev.kmap.dsl

import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonNames

/**
 * nmap's timing templates `-T0`..`-T5` with its documented values.
 * A null [maxParallelism] means no fixed limit (the congestion window decides). JSON spells a
 * template by nmap's name ([label]: `"aggressive"`); `"T4"` of earlier versions is still read.
 *
 * ```kotlin
 * scan { timing(T4) }
 * println(TimingTemplate.T4.maxRttTimeoutMillis) // 1250
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public enum class TimingTemplate(
    public val label: String,
    public val minRttTimeoutMillis: Long,
    public val maxRttTimeoutMillis: Long,
    public val initialRttTimeoutMillis: Long,
    public val maxRetries: Int,
    public val scanDelayMillis: Long,
    public val maxScanDelayMillis: Long,
    /** 0 = no host timeout. */
    public val hostTimeoutMillis: Long,
    public val maxParallelism: Int?,
) {
    @SerialName("paranoid") @JsonNames("T0") T0("paranoid", 100, 10_000, 300_000, 10, 300_000, 1_000, 0, 1),
    @SerialName("sneaky") @JsonNames("T1") T1("sneaky", 100, 10_000, 15_000, 10, 15_000, 1_000, 0, 1),
    @SerialName("polite") @JsonNames("T2") T2("polite", 100, 10_000, 1_000, 10, 400, 1_000, 0, 1),
    @SerialName("normal") @JsonNames("T3") T3("normal", 100, 10_000, 1_000, 10, 0, 1_000, 0, null),
    @SerialName("aggressive") @JsonNames("T4") T4("aggressive", 100, 1_250, 500, 6, 0, 10, 0, null),
    @SerialName("insane") @JsonNames("T5") T5("insane", 50, 300, 250, 2, 0, 5, 900_000, null),
    ;

    public companion object {
        /** Parses `0`..`5`, `T4`, or a name such as `aggressive`; raises [InvalidSpecException]. */
        public fun parse(text: String): TimingTemplate {
            val t = text.trim()
            return entries.firstOrNull {
                t == it.name.substring(1) || t.equals(it.name, ignoreCase = true) || t.equals(it.label, ignoreCase = true)
            } ?: invalid("invalid timing template \"$text\" (expected 0..5, T0..T5, or paranoid|sneaky|polite|normal|aggressive|insane)")
        }
    }
}
