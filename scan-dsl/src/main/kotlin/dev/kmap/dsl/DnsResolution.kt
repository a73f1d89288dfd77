package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * Reverse DNS policy: nmap's default (only for hosts found up), `-n` (never) or `-R` (always).
 * Forward resolution of target names always happens.
 *
 * ```kotlin
 * scan { dns(DnsResolution.NEVER) } // -n
 * ```
 */
@Serializable
public enum class DnsResolution { DEFAULT, NEVER, ALWAYS }
