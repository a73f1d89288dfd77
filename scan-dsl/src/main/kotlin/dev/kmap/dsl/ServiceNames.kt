package dev.kmap.dsl

/**
 * Well-known service names of ports (`22/tcp` is `ssh`), for port specs and for output.
 *
 * ```kotlin
 * println(ServiceNames.name(Protocol.TCP, 443)) // https
 * ```
 */
public object ServiceNames {
    /** The conventional service name of [port]/[protocol], or null. */
    public fun name(protocol: Protocol, port: Int): String? = TODO()

    /** The ports of [protocol] whose service name matches [pattern] (`http`, `http*`, `?sh`). */
    public fun ports(protocol: Protocol, pattern: String): PortList = TODO()
}
