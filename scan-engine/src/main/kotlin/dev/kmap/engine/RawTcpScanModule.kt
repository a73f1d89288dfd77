package dev.kmap.engine

import dev.kmap.engine.internal.RawAvailability
import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanType
import dev.kmap.engine.internal.RawTcpSession
import dev.kmap.packet.ParsedReply
import dev.kmap.packet.TcpFlags
import kotlin.reflect.KClass

/**
 * The raw TCP scans, one module per scan type: crafted packets from prebuilt templates, replies
 * captured with a kernel filter and matched statelessly (the sequence number carries a keyed hash
 * of the probe). nmap's state semantics:
 *
 * | scan | TCP reply | silence |
 * |---|---|---|
 * | SYN `-sS` | SYN/ACK: open (`syn-ack`), RST: closed (`reset`) | filtered |
 * | FIN `-sF`, NULL `-sN`, Xmas `-sX`, Maimon `-sM` | RST: closed | open\|filtered |
 * | ACK `-sA` | RST: unfiltered | filtered |
 * | Window `-sW` | RST: open if its window is non-zero, else closed | filtered |
 *
 * An ICMP unreachable error quoting the probe makes the port filtered, with nmap's reason
 * (`port-unreach`, `host-unreach`, `admin-prohibited`...). The SYN module also performs the SYN
 * ping (`-PS`), the ACK module the ACK ping (`-PA`).
 *
 * ```kotlin
 * val report = scan(scan { targets("10.0.0.5"); ports("-"); syn() }) // needs root or CAP_NET_RAW
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public class RawTcpScanModule private constructor(
    private val type: ScanType,
    private val flags: Int,
    override val discoveryProbes: Set<KClass<out DiscoveryProbe>>,
    override val silence: Verdict,
    /** Part of nmap's default for routed targets (SYN to 443, ACK to 80). */
    override val defaultDiscovery: DefaultDiscovery? = null,
    private val classify: (ParsedReply.Tcp) -> Verdict?,
) : ProbeModule {
    override val name: String = "raw-tcp-${type.name.lowercase()}"
    override val scanTypes: Set<ScanType> = setOf(type)

    override fun unavailableReason(): String? = RawAvailability.reason

    override fun discoveryPorts(probe: DiscoveryProbe): List<Int> = when (probe) {
        is DiscoveryProbe.TcpSyn -> probe.ports
        is DiscoveryProbe.TcpAck -> probe.ports
        else -> emptyList()
    }

    override fun open(): ProbeSession = RawTcpSession(flags, classify)

    public companion object {

        private fun verdict(state: PortState, reason: String) = Verdict(state, reason, hostResponded = true)
        private val OPEN = verdict(PortState.OPEN, "syn-ack")
        private val CLOSED = verdict(PortState.CLOSED, "reset")
        private val UNFILTERED = verdict(PortState.UNFILTERED, "reset")
        private val OPEN_BY_WINDOW = verdict(PortState.OPEN, "reset")
        private val NO_RESPONSE = Verdict(PortState.FILTERED, "no-response", hostResponded = false)
        private val OPEN_FILTERED = Verdict(PortState.OPEN_FILTERED, "no-response", hostResponded = false)

        private fun isRst(r: ParsedReply.Tcp) = (r.flags and TcpFlags.RST) != 0
        private const val SYN_ACK = TcpFlags.SYN or TcpFlags.ACK
        private fun isSynAck(r: ParsedReply.Tcp) = (r.flags and SYN_ACK) == SYN_ACK

        private val closedOnReset: (ParsedReply.Tcp) -> Verdict? = { r -> if (isRst(r)) CLOSED else null }

        /** `-sS`, and the SYN ping `-PS`. */
        public val SYN: RawTcpScanModule = RawTcpScanModule(
            ScanType.SYN, TcpFlags.SYN_SCAN, setOf(DiscoveryProbe.TcpSyn::class), NO_RESPONSE,
            DefaultDiscovery(routed = listOf(DiscoveryProbe.TcpSyn(listOf(443)))),
        ) { r -> if (isSynAck(r)) OPEN else if (isRst(r)) CLOSED else null }

        /** `-sF`. */
        public val FIN: RawTcpScanModule = RawTcpScanModule(ScanType.FIN, TcpFlags.FIN_SCAN, emptySet(), OPEN_FILTERED, classify = closedOnReset)

        /** `-sN`. */
        public val NULL: RawTcpScanModule = RawTcpScanModule(ScanType.NULL, TcpFlags.NULL_SCAN, emptySet(), OPEN_FILTERED, classify = closedOnReset)

        /** `-sX`. */
        public val XMAS: RawTcpScanModule = RawTcpScanModule(ScanType.XMAS, TcpFlags.XMAS_SCAN, emptySet(), OPEN_FILTERED, classify = closedOnReset)

        /** `-sM`. */
        public val MAIMON: RawTcpScanModule = RawTcpScanModule(ScanType.MAIMON, TcpFlags.MAIMON_SCAN, emptySet(), OPEN_FILTERED, classify = closedOnReset)

        /** `-sA`, and the ACK ping `-PA`. */
        public val ACK: RawTcpScanModule = RawTcpScanModule(
            ScanType.ACK, TcpFlags.ACK_SCAN, setOf(DiscoveryProbe.TcpAck::class), NO_RESPONSE,
            DefaultDiscovery(routed = listOf(DiscoveryProbe.TcpAck(listOf(80)))),
        ) { r -> if (isRst(r)) UNFILTERED else null }

        /** `-sW`. */
        public val WINDOW: RawTcpScanModule = RawTcpScanModule(ScanType.WINDOW, TcpFlags.WINDOW_SCAN, emptySet(), NO_RESPONSE) { r ->
            if (isRst(r)) (if (r.window > 0) OPEN_BY_WINDOW else CLOSED) else null
        }

        /** Every raw TCP module. */
        public val all: List<RawTcpScanModule> = listOf(SYN, FIN, NULL, XMAS, MAIMON, ACK, WINDOW)
    }
}
