package dev.kmap.packet

import dev.kmap.dsl.IpAddress

/**
 * Finds the [Route] for a destination: the interface and source address the kernel would use,
 * and the next hop.
 *
 * [system] reads the kernel's tables from `/proc` (see [ProcRouteTable]: fast, one snapshot
 * answers any number of lookups, no subprocess, but main-table routing only); [IpRouteCommand]
 * asks `ip -o route get` (exact, policy routing included, one process per lookup).
 *
 * ```kotlin
 * val route = RouteResolver.system().route(IpAddress.parse("10.208.0.11")) ?: error("no route")
 * ```
 */
public fun interface RouteResolver {
    /**
     * The route to [destination], or null when the kernel has none (unreachable, prohibited).
     *
     * ```kotlin
     * resolver.route(IpAddress.parse("127.0.0.1"))?.isLocal // true
     * ```
     */
    public fun route(destination: IpAddress): Route?

    /** The default resolver. */
    public companion object {
        /**
         * A snapshot of this machine's routing tables and interface addresses ([ProcRouteTable.load]).
         *
         * ```kotlin
         * val routes = RouteResolver.system()
         * ```
         */
        public fun system(): RouteResolver = ProcRouteTable.load()
    }
}
