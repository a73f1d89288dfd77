package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.RouteResolver

/** How a target is reached from here, which decides what can ask it (ARP/NDP only on an Ethernet link). */
internal enum class TargetLink(val why: String) {
    /** Directly attached Ethernet network: no gateway, an interface with a MAC. */
    ON_LINK("on a local Ethernet link"),
    /** Through a router, or on a link without a link layer to ask on (tun, ...). */
    ROUTED("reached through a router or a link without Ethernet"),
    /** This machine (loopback or one of its own addresses). */
    LOCAL("this machine: loopback has no link layer to ask on"),
    /** No route at all. */
    UNROUTABLE("unroutable: there is no route to it"),
}

/** Classifies targets with [routes] (the kernel's tables, read once). */
internal class LinkClassifier(private val routes: RouteResolver) {
    fun link(address: IpAddress): TargetLink {
        val r = routes.route(address) ?: return TargetLink.UNROUTABLE
        return when {
            r.isLocal -> TargetLink.LOCAL
            r.gateway == null && r.interfaceMac != null -> TargetLink.ON_LINK
            else -> TargetLink.ROUTED
        }
    }
}
