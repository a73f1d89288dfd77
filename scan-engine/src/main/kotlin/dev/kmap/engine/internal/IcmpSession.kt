package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.Verdict
import dev.kmap.packet.CaptureFilter
import dev.kmap.packet.EthernetAddresses
import dev.kmap.packet.IcmpEchoTemplate
import dev.kmap.packet.IcmpTimestampTemplate
import dev.kmap.packet.MacAddress
import dev.kmap.packet.PacketIo
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ProbeKey
import dev.kmap.packet.ProbeTemplate
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver

/** One run of ICMP echo or timestamp discovery; probes have no port (0). */
internal class IcmpSession(
    private val timestamp: Boolean,
    routes: RouteResolver = RouteResolver.system(),
    openIo: (String) -> PacketIo = { PacketIo.open(it) },
) : RawSession<ProbeTemplate?>(routes, openIo) {
    private val key = ProbeKey.random()
    private var ipId = 0

    override fun captureFilter(route: Route): String = CaptureFilter.icmpReplies(route.source)

    override fun templates(route: Route, ethernet: EthernetAddresses?): ProbeTemplate? = when {
        !timestamp -> IcmpEchoTemplate(route.source, ethernet)
        route.source.isV6 -> null // ICMPv6 has no timestamp request
        else -> IcmpTimestampTemplate(route.source, ethernet)
    }

    override fun maxLength(templates: ProbeTemplate?) = templates?.length ?: 0

    override fun write(templates: ProbeTemplate?, route: Route, buffer: ByteArray, destination: IpAddress, probe: Probe, mac: MacAddress?): Int {
        val identity = key.icmpIdentity(route.source, destination)
        ipId = (ipId + 1) and 0xffff
        return when (templates) {
            is IcmpEchoTemplate -> templates.write(buffer, 0, destination, identity ushr 16, identity and 0xffff, ipId, mac)
            is IcmpTimestampTemplate -> templates.write(buffer, 0, destination, identity ushr 16, identity and 0xffff, ipId, mac)
            else -> 0
        }
    }

    override fun validate(reply: ParsedReply): Reply? = when {
        reply is ParsedReply.Icmp && reply.isReply && key.isValidIcmpReply(reply) ->
            Reply(reply.source, 0, if (timestamp) TIMESTAMP_REPLY else ECHO_REPLY)
        reply is ParsedReply.IcmpError && reply.isUnreachable && reply.quoted?.let { key.isValidQuotedProbe(it) } == true ->
            Reply(reply.quoted!!.destination, 0, Verdict(PortState.FILTERED, unreachableReason(reply), hostResponded = false))
        else -> null
    }

    private companion object {
        val ECHO_REPLY = Verdict(PortState.OPEN, "echo-reply", hostResponded = true)
        val TIMESTAMP_REPLY = Verdict(PortState.OPEN, "timestamp-reply", hostResponded = true)
    }
}
