package dev.kmap.dsl

import dev.kmap.dsl.internal.PortTables

/**
 * Well-known service names of ports (`22/tcp` is `ssh`), for port specs and for output.
 *
 * The table is kmap's own copy of the names in nmap's services table (see
 * `scan-dsl/tools/gen-port-tables.py`). Ports the table lists as `unknown` have no name.
 *
 * ```kotlin
 * println(ServiceNames.name(Protocol.TCP, 443)) // https
 * println(ServiceNames.ports(Protocol.TCP, "http*")) // 80,280,443,591,593,4180,8000,8008,8080,8443,8990-8991
 * ```
 */
public object ServiceNames {
    /** The conventional service name of [port]/[protocol], or null (also for ports outside 0..65535). */
    public fun name(protocol: Protocol, port: Int): String? = PortTables.services(protocol).name(port)

    /**
     * The ports of [protocol] whose service name matches [pattern] (`http`, `http*`, `?sh`):
     * case-insensitive, `*` matches any run of characters and `?` exactly one. As in nmap,
     * `unknown` matches the ports the table lists without a name. No match gives the empty list.
     */
    public fun ports(protocol: Protocol, pattern: String): PortList =
        PortList.of(*PortTables.services(protocol).matching(pattern))
}
