package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.Verdict
import dev.kmap.packet.CaptureFilter
import dev.kmap.packet.EthernetAddresses
import dev.kmap.packet.MacAddress
import dev.kmap.packet.PacketIo
import dev.kmap.packet.PacketIoOptions
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ProbeKey
import dev.kmap.packet.QuotedPacket
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import dev.kmap.packet.UdpProbeTemplate
import java.util.concurrent.ThreadLocalRandom

/**
 * One run of the UDP scan: one template per protocol payload of [UdpPayloads] plus an empty one.
 * The source port carries the keyed hash: it is one of [PORT_COUNT] ports from a random base,
 * chosen by [ProbeKey.udpSourcePort] from the destination and its port, so a datagram back to the
 * right port, or an ICMP error quoting a probe from it, is ours.
 */
internal class UdpSession(
    routes: RouteResolver = RouteResolver.system(),
    openIo: (String) -> PacketIo = { PacketIo.open(it, PacketIoOptions(bufferBytes = CAPTURE_BUFFER)) },
) : RawSession<UdpSession.Templates>(routes, openIo) {
    class Templates(val empty: UdpProbeTemplate, val byPort: Map<Int, UdpProbeTemplate>) {
        fun forPort(port: Int): UdpProbeTemplate = byPort[port] ?: empty
    }

    private val key = ProbeKey.random()
    private val basePort = ThreadLocalRandom.current().nextInt(BASE_PORTS.first, BASE_PORTS.last + 1)
    private var ipId = ThreadLocalRandom.current().nextInt(0x10000)

    override fun captureFilter(route: Route): String = CaptureFilter.udpReplies(route.source, basePort until basePort + PORT_COUNT)

    override fun templates(route: Route, ethernet: EthernetAddresses?) = Templates(
        UdpProbeTemplate(route.source, ethernet),
        UdpPayloads.ports.associateWith { UdpProbeTemplate(route.source, ethernet, UdpPayloads.forPort(it)) },
    )

    override fun maxLength(templates: Templates) = (templates.byPort.values + templates.empty).maxOf { it.length }

    override fun write(templates: Templates, route: Route, buffer: ByteArray, destination: IpAddress, probe: Probe, mac: MacAddress?): Int {
        val sport = key.udpSourcePort(route.source, destination, probe.port, basePort, PORT_COUNT)
        ipId = (ipId + 1) and 0xffff
        return templates.forPort(probe.port).write(buffer, 0, destination, sport, probe.port, ipId, mac)
    }

    override fun validate(reply: ParsedReply): Reply? = when (reply) {
        is ParsedReply.Udp ->
            if (key.isValidUdpReply(reply, basePort, PORT_COUNT)) Reply(reply.source, reply.sourcePort, OPEN) else null
        is ParsedReply.IcmpError -> {
            val quoted = reply.quoted
            if (quoted == null || !reply.isUnreachable || quoted.protocol != QuotedPacket.UDP ||
                !key.isValidQuotedProbe(quoted, basePort, PORT_COUNT)
            ) {
                null
            } else {
                val verdict = if (reply.isPortUnreachable) {
                    // only the target itself says "port unreachable"; a router saying it means filtered
                    if (reply.source == quoted.destination) CLOSED else Verdict(PortState.FILTERED, "port-unreach", hostResponded = false)
                } else {
                    Verdict(PortState.FILTERED, unreachableReason(reply), hostResponded = false)
                }
                Reply(quoted.destination, quoted.destinationPort, verdict)
            }
        }
        else -> null
    }

    private companion object {
        /** A larger capture buffer than the default: bursts of ICMP errors must not be dropped. */
        const val CAPTURE_BUFFER = 32 shl 20
        const val PORT_COUNT = 1_024
        val BASE_PORTS = 40_000..59_000

        val OPEN = Verdict(PortState.OPEN, "udp-response", hostResponded = true)
        val CLOSED = Verdict(PortState.CLOSED, "port-unreach", hostResponded = true)
    }
}
