package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * One host produced by expanding [Targets]: an address, or a name the engine resolves.
 *
 * ```kotlin
 * when (val h = targets.expand().first()) { is TargetHost.Ip -> h.address; is TargetHost.Name -> h.name }
 * ```
 */
@Serializable
public sealed interface TargetHost {
    /** A literal address. */
    @Serializable
    public data class Ip(val address: IpAddress) : TargetHost

    /** A host name still to be resolved. */
    @Serializable
    public data class Name(val name: String) : TargetHost
}
