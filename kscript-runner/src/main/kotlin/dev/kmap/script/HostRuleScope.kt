package dev.kmap.script

import dev.kmap.engine.HostResult
import dev.kmap.engine.PortState

/**
 * The receiver of `hostRule { }`: the [host] with shortcuts for its open ports.
 *
 * ```kotlin
 * hostRule { openPorts.isNotEmpty() }
 * ```
 */
public class HostRuleScope(public val host: HostResult) {
    /** The numbers of the host's open ports (TCP and UDP). */
    public val openPorts: List<Int> get() = host.ports.filter { it.state == PortState.OPEN }.map { it.port }

    /** The services of the host's open ports, by port number. */
    public val services: Map<Int, String?> get() = host.ports.filter { it.state == PortState.OPEN }.associate { it.port to it.service }
}
