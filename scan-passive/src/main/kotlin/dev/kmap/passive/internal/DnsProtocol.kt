package dev.kmap.passive.internal

import dev.kmap.passive.ByteBudget
import dev.kmap.passive.DatagramProtocol
import dev.kmap.passive.FlowKey
import dev.kmap.passive.MessageSink
import dev.kmap.passive.ServiceMatcher
import dev.kmap.passive.StreamParser
import dev.kmap.passive.StreamProtocol

/** DNS over UDP on ports 53, 5353 (mDNS) and 5355 (LLMNR). */
internal object DnsProtocol : DatagramProtocol {
    override val name = "dns"
    private val ports = setOf(53, 5353, 5355)

    override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int) =
        length >= 12 && (flow.responderPort in ports || flow.initiatorPort in ports)

    override fun parse(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
        DnsCodec.parse(buffer, offset, length, overTcp = false)?.let { out.message(fromInitiator, it) }
    }
}

/** DNS over TCP (port 53 or 5353): two-byte length framing; a malformed message still consumes its length. */
internal object DnsTcpProtocol : StreamProtocol {
    override val name = "dns"

    override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int) =
        (flow.responderPort == 53 || flow.responderPort == 5353) && length >= 2 && FrameDecoder.u16(buffer, offset) >= 12

    override fun create(flow: FlowKey, budget: ByteBudget, matcher: ServiceMatcher): StreamParser = DnsTcpParser(budget)
}

internal class DnsTcpParser(private val budget: ByteBudget) : StreamParser {
    private inner class Side {
        val acc = Accumulator(budget, 65535)
        var header = 0 // length bytes seen (0..2)
        var length = 0
        var skip = 0L // bytes of a message lost in a gap
    }

    private val up = Side()
    private val down = Side()
    override var poisonReason: String? = null
        private set

    override fun data(fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        var o = offset
        var n = length
        while (n > 0 && poisonReason == null) {
            if (s.skip > 0) { val k = minOf(s.skip, n.toLong()).toInt(); s.skip -= k; o += k; n -= k; continue }
            if (s.header < 2) {
                s.length = (s.length shl 8) or (buffer[o].toInt() and 0xff)
                s.header++; o++; n--
                continue
            }
            val need = s.length - s.acc.size
            val take = minOf(need, n)
            if (s.acc.size == 0 && take == s.length) {
                DnsCodec.parse(buffer, o, take, overTcp = true)?.let { out.message(fromInitiator, it) }
            } else {
                if (!s.acc.append(buffer, o, take)) { poisonReason = "DNS message does not fit the buffers"; return }
                if (s.acc.size == s.length) {
                    DnsCodec.parse(s.acc.data, 0, s.acc.size, overTcp = true)?.let { out.message(fromInitiator, it) }
                    s.acc.clear()
                } else { o += take; n -= take; continue }
            }
            o += take; n -= take
            s.header = 0; s.length = 0
        }
    }

    override fun gap(fromInitiator: Boolean, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        if (s.header == 2) { // the rest of this message is lost: skip it, the next length is where it says
            val missing = s.length - s.acc.size
            s.acc.clear()
            if (length <= missing) { s.skip = (missing - length).toLong(); s.header = 0; s.length = 0; if (s.skip == 0L) return; return }
        }
        poisonReason = "a gap in the DNS length framing"
    }

    override fun end(fromInitiator: Boolean, reset: Boolean, out: MessageSink) {}
    override fun wants(fromInitiator: Boolean) = poisonReason == null
    override fun release() { up.acc.release(); down.acc.release() }
}
