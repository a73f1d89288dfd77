package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.Verdict
import dev.kmap.packet.ArpRequestTemplate
import dev.kmap.packet.CaptureFilter
import dev.kmap.packet.EthernetAddresses
import dev.kmap.packet.MacAddress
import dev.kmap.packet.NeighbourSolicitationTemplate
import dev.kmap.packet.PacketIo
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ProbeTemplate
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver

/**
 * One run of ARP/NDP discovery; probes have no port (0). Only on-link destinations on an
 * Ethernet interface can be asked. A reply is matched by the address it announces: an
 * announcement nobody asked for finds no probe in flight and is dropped.
 */
internal class NeighbourSession(
    routes: RouteResolver = RouteResolver.system(),
    openIo: (String) -> PacketIo = { PacketIo.open(it) },
) : RawSession<ProbeTemplate?>(routes, openIo) {
    override val resolvesNeighbours: Boolean = false

    override fun captureFilter(route: Route): String = CaptureFilter.neighbourReplies(route.source)

    override fun templates(route: Route, ethernet: EthernetAddresses?): ProbeTemplate? = when {
        ethernet == null -> null // loopback or raw IP: no link layer to ask on
        route.source.isV6 -> NeighbourSolicitationTemplate(ethernet.source, route.source)
        else -> ArpRequestTemplate(ethernet.source, route.source)
    }

    override fun maxLength(templates: ProbeTemplate?) = templates?.length ?: 0

    override fun write(templates: ProbeTemplate?, route: Route, buffer: ByteArray, destination: IpAddress, probe: Probe, mac: MacAddress?): Int =
        if (route.gateway != null) 0 else when (templates) {
            is ArpRequestTemplate -> templates.write(buffer, 0, destination)
            is NeighbourSolicitationTemplate -> templates.write(buffer, 0, destination)
            else -> 0
        }

    override fun validate(reply: ParsedReply): Reply? = when {
        reply is ParsedReply.Arp && reply.isReply -> Reply(reply.senderAddress, 0, ARP_RESPONSE)
        reply is ParsedReply.Ndp && reply.isAdvertisement -> Reply(reply.target, 0, ND_RESPONSE)
        else -> null
    }

    private companion object {
        val ARP_RESPONSE = Verdict(PortState.OPEN, "arp-response", hostResponded = true)
        val ND_RESPONSE = Verdict(PortState.OPEN, "nd-response", hostResponded = true)
    }
}
