package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.Verdict
import dev.kmap.packet.CaptureFilter
import dev.kmap.packet.EthernetAddresses
import dev.kmap.packet.MacAddress
import dev.kmap.packet.PacketIo
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.ProbeKey
import dev.kmap.packet.Route
import dev.kmap.packet.RouteResolver
import dev.kmap.packet.TcpProbeTemplate
import java.util.concurrent.ThreadLocalRandom

/**
 * One run of a raw TCP scan module: probes with [flags] from one source port; a reply is ours
 * when its sequence/acknowledgment carries the keyed hash of the probe it answers. [classify]
 * says what a valid TCP reply means for this scan type; ICMP unreachable makes a port filtered.
 */
internal class RawTcpSession(
    private val flags: Int,
    private val classify: (ParsedReply.Tcp) -> Verdict?,
    routes: RouteResolver = RouteResolver.system(),
    openIo: (String) -> PacketIo = { PacketIo.open(it) },
) : RawSession<TcpProbeTemplate>(routes, openIo) {
    private val key = ProbeKey.random()
    private val sourcePort = ThreadLocalRandom.current().nextInt(SOURCE_PORTS.first, SOURCE_PORTS.last + 1)

    override fun captureFilter(route: Route): String =
        "(${CaptureFilter.tcpReplies(route.source, sourcePort..sourcePort)}) or (${CaptureFilter.icmpReplies(route.source)})"

    override fun templates(route: Route, ethernet: EthernetAddresses?) = TcpProbeTemplate(route.source, ethernet, flags)

    override fun maxLength(templates: TcpProbeTemplate) = templates.length

    override fun write(templates: TcpProbeTemplate, route: Route, buffer: ByteArray, destination: IpAddress, probe: Probe, mac: MacAddress?): Int {
        // the attempt rides in the sequence number: a late answer to an earlier attempt is told apart
        val seq = key.tcpSequence(route.source, destination, sourcePort, probe.port) + encodedAttempt(probe)
        return templates.write(buffer, 0, destination, sourcePort, probe.port, seq, seq, destinationMac = mac)
    }

    override fun validate(reply: ParsedReply): Reply? = when (reply) {
        is ParsedReply.Tcp -> {
            val attempt = if (reply.destinationPort != sourcePort) -1 else key.tcpReplyAttempt(reply, flags)
            if (attempt < 0) null else classify(reply)?.let { Reply(reply.source, reply.sourcePort, it, attempt) }
        }
        is ParsedReply.IcmpError -> {
            val quoted = reply.quoted
            val attempt = if (quoted == null || !reply.isUnreachable || quoted.sourcePort != sourcePort) -1 else key.quotedTcpAttempt(quoted)
            if (attempt < 0) null
            else Reply(quoted!!.destination, quoted.destinationPort, Verdict(PortState.FILTERED, unreachableReason(reply), hostResponded = false), attempt)
        }
        else -> null
    }

    private companion object {
        val SOURCE_PORTS = 40_000..59_999
    }
}
