package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * Service and version detection (`-sV`) with nmap's probe [intensity] 0..9.
 *
 * ```kotlin
 * scan { serviceDetection(intensity = 7) }
 * ```
 */
@Serializable
public data class ServiceDetection(val intensity: Int = 7) {
    init {
        if (intensity !in 0..9) invalid("version intensity $intensity is out of range (expected 0..9)")
    }
}
