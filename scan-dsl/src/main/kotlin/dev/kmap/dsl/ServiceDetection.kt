package dev.kmap.dsl

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * Service and version detection (`-sV`): nmap's probe [intensity] 0..9 (a probe is sent when its
 * rarity is at most the intensity; `--version-light` is 2, `--version-all` 9), whether each
 * exchange is reported ([trace], `--version-trace`), the probe databases to use ([databases]:
 * kmap-format or nmap `nmap-service-probes` files, read when the scan starts; empty means kmap's
 * shipped database) and in-house [probes] defined in the DSL, tried after the database's.
 *
 * ```kotlin
 * scan { serviceDetection(intensity = 7) }
 * scan { services { probe("acme") { tcp(9000); send("HELLO\r\n"); match("^ACME (\\d+)") { product = "Acme"; version = group(1) } } } }
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class ServiceDetection(
    val intensity: Int = DEFAULT_INTENSITY,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val trace: Boolean = false,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val databases: List<String> = emptyList(),
    @EncodeDefault(EncodeDefault.Mode.NEVER) val probes: List<ServiceProbe> = emptyList(),
) {
    init {
        if (intensity !in 0..9) invalid("version intensity $intensity is out of range (expected 0..9)")
    }

    public companion object {
        /** nmap's default intensity. */
        public const val DEFAULT_INTENSITY: Int = 7

        /** `--version-light`. */
        public const val LIGHT: Int = 2

        /** `--version-all`. */
        public const val ALL: Int = 9
    }
}
