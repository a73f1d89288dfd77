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
 * One run of a raw TCP scan module: probes with [flags]; a reply is ours when its
 * sequence/acknowledgment carries the keyed hash of the probe it answers. [classify] says what a
 * valid TCP reply means for this scan type; ICMP unreachable makes a port filtered.
 *
 * Attempt n of a probe goes out from source port base + n, as nmap's do: a retransmission is a new
 * connection to the target, which answers it afresh (a target still holding the first attempt's
 * half-open connection would answer a second SYN on the same ports with a bare ACK, not a
 * SYN/ACK), and the reply's port says which attempt it answers.
 */
internal class RawTcpSession(
    private val flags: Int,
    private val classify: (ParsedReply.Tcp) -> Verdict?,
    routes: RouteResolver = RouteResolver.system(),
    openIo: (String) -> PacketIo = { PacketIo.open(it) },
) : RawSession<TcpProbeTemplate>(routes, openIo) {
    private val key = ProbeKey.random()
    private val basePort = ThreadLocalRandom.current().nextInt(SOURCE_PORTS.first, SOURCE_PORTS.last + 1)
    private val sourcePorts = basePort..basePort + MAX_ENCODED_ATTEMPT

    override fun captureFilter(route: Route): String =
        "(${CaptureFilter.tcpReplies(route.source, sourcePorts)}) or (${CaptureFilter.icmpReplies(route.source)})"

    override fun templates(route: Route, ethernet: EthernetAddresses?) = TcpProbeTemplate(route.source, ethernet, flags)

    override fun maxLength(templates: TcpProbeTemplate) = templates.length

    override fun write(templates: TcpProbeTemplate, route: Route, buffer: ByteArray, destination: IpAddress, probe: Probe, mac: MacAddress?): Int {
        val sourcePort = basePort + encodedAttempt(probe)
        val seq = key.tcpSequence(route.source, destination, sourcePort, probe.port)
        return templates.write(buffer, 0, destination, sourcePort, probe.port, seq, seq, destinationMac = mac)
    }

    override fun validate(reply: ParsedReply): Reply? = when (reply) {
        is ParsedReply.Tcp ->
            if (reply.destinationPort !in sourcePorts || !key.isValidTcpReply(reply, flags)) null
            else classify(reply)?.let { Reply(reply.source, reply.sourcePort, it, reply.destinationPort - basePort) }
        is ParsedReply.IcmpError -> {
            val quoted = reply.quoted
            if (quoted == null || !reply.isUnreachable || quoted.sourcePort !in sourcePorts || !key.isValidQuotedProbe(quoted)) null
            else Reply(quoted.destination, quoted.destinationPort, Verdict(PortState.FILTERED, unreachableReason(reply), hostResponded = false), quoted.sourcePort - basePort)
        }
        else -> null
    }

    private companion object {
        val SOURCE_PORTS = 40_000..59_999 - MAX_ENCODED_ATTEMPT
    }
}
