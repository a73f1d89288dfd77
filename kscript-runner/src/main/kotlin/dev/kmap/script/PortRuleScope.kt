package dev.kmap.script

import dev.kmap.dsl.Protocol
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState

/**
 * The receiver of `portRule { }`: the [host], the [port] under test and shortcuts for its number,
 * service, state and protocol.
 *
 * ```kotlin
 * portRule { isOpen && isTcp && (number == 6379 || service == "redis") }
 * ```
 */
public class PortRuleScope(public val host: HostResult, public val port: PortResult) {
    /** The port number. */
    public val number: Int get() = port.port

    /** The service name (detected, or the conventional one for the port), or null. */
    public val service: String? get() = port.service

    /** The port's state. */
    public val state: PortState get() = port.state

    /** The port's protocol. */
    public val protocol: Protocol get() = port.protocol

    /** The port is `open`. */
    public val isOpen: Boolean get() = port.state == PortState.OPEN

    /** The port is `open` or `open|filtered` (nmap's default for UDP rules). */
    public val mayBeOpen: Boolean get() = port.state == PortState.OPEN || port.state == PortState.OPEN_FILTERED

    /** TCP. */
    public val isTcp: Boolean get() = port.protocol == Protocol.TCP

    /** UDP. */
    public val isUdp: Boolean get() = port.protocol == Protocol.UDP
}
