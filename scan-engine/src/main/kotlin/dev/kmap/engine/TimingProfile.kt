package dev.kmap.engine

/**
 * How the engine's timing treats a [ProbeModule]'s probes. Declared by the module, so the runner
 * never tests scan kinds.
 *
 * ```kotlin
 * override val timingProfile = TimingProfile.ERROR_RATE_LIMITED // a UDP-like scan
 * ```
 */
public enum class TimingProfile {
    /** Silence means no answer (TCP, ICMP, ARP): nmap's congestion control and retry rule. */
    STANDARD,

    /**
     * The answers that decide most ports are ICMP errors, which targets rate-limit (UDP): once
     * errors are seen, silent probes get every retry, with backed-off timeouts, and a proven drop
     * raises the scan delay at once (see the engine's timing controller).
     */
    ERROR_RATE_LIMITED,
}
