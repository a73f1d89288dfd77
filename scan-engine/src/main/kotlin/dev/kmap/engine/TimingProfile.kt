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

    /**
     * Questions to the local link that every present neighbour answers at once and an absent
     * address never does (ARP, NDP): silence is absence, not congestion, so no congestion window
     * paces them (every request of a host group goes out at once and the absent addresses share
     * one wait); the rate caps, the scan delay and the parallelism limits still hold.
     */
    NEIGHBOUR,
}
