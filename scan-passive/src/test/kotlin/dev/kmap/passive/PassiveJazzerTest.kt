package dev.kmap.passive

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.PassiveLimits
import dev.kmap.passive.internal.DnsCodec
import dev.kmap.passive.internal.TlsHello
import java.io.ByteArrayInputStream
import kotlin.random.Random

/**
 * Coverage-guided fuzzing (Jazzer) of scan-passive's readers of files and network bytes. The
 * first input byte picks the target:
 * - 0: the bytes are a capture file for [CaptureFileSource] (kmap's own pcap/pcapng reader): it
 *   hands over frames that lie within its buffer, at most one per 12 input bytes, or raises
 *   [CaptureFormatException] with a one-line message, nothing else; the frames then go through a
 *   [PassivePipeline] with small limits, which never throws, keeps to its flow and byte limits
 *   and gives every buffer back;
 * - 1: a TCP conversation for one stream parser of [PassiveParsers] (byte 1 picks it, bytes 2-3
 *   say where the initiator's bytes end, bytes 4-11 seed the split): whole and split at random
 *   points, it never throws, gives the same messages, keeps within its [ByteBudget] (a large
 *   one and a tiny one) and gives it all back;
 * - 2: one datagram for the datagram parsers (DNS), and the TLS and DNS decoders on their own.
 *
 * Seeds: `PassiveJazzerTestInputs/fuzz/` (`seed-*`: a pcap and a pcapng of real frames, an HTTP
 * request, a TLS ClientHello, a DNS query over TCP and UDP, an SSH banner exchange). A longer run:
 * `mvn -pl scan-passive surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class PassiveJazzerTest {
    private val flow = FlowKey(6, IpAddress.parse("10.0.0.1"), 40000, IpAddress.parse("10.0.0.2"), 53)
    private val streams = PassiveParsers.DEFAULT.stream + PassiveParsers.BANNER

    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val bytes = data.consumeRemainingAsBytes()
        if (bytes.isEmpty()) return
        when (bytes[0].toInt() and 0xff) {
            0 -> captureFile(bytes.copyOfRange(1, bytes.size))
            1 -> if (bytes.size >= 12) stream(bytes)
            2 -> datagram(bytes.copyOfRange(1, bytes.size))
        }
    }

    private fun captureFile(file: ByteArray) {
        val limits = PassiveLimits(maxFlows = 16, maxBufferPerFlow = 4096, maxBufferTotal = 16384)
        val pipeline = PassivePipeline(limits) { }
        var frames = 0L
        val sink = FrameSink { linkType, buffer, offset, captured, wire, ts ->
            check(offset >= 0 && captured >= 0 && offset <= buffer.size - captured) { "frame $offset+$captured outside its buffer of ${buffer.size}" }
            check(wire >= captured) { "wire length $wire below the captured $captured" }
            frames++
            pipeline.frame(linkType, buffer, offset, captured, wire, ts)
            check(pipeline.flows <= limits.maxFlows && pipeline.budget.used <= limits.maxBufferTotal) { "over the limits: ${pipeline.flows} flows, ${pipeline.budget.used} bytes" }
        }
        val src = CaptureFileSource(ByteArrayInputStream(file), "fuzz.pcap")
        try {
            var calls = 0
            while (src.read(sink, 64) >= 0) check(++calls <= file.size + 1) { "the reader does not come to an end" }
        } catch (e: CaptureFormatException) {
            val m = e.message.orEmpty()
            check(m.isNotBlank() && '\n' !in m) { "bad message: \"$m\"" }
        }
        check(frames <= file.size / 12 + 1) { "$frames frames from ${file.size} bytes" }
        pipeline.finish(interrupted = false, truncatedFile = src.truncated)
        check(pipeline.budget.used == 0L) { "${pipeline.budget.used} bytes still held after the end" }
    }

    private fun stream(bytes: ByteArray) {
        val proto = streams[(bytes[1].toInt() and 0xff) % streams.size]
        val payload = bytes.copyOfRange(12, bytes.size)
        val cut = (((bytes[2].toInt() and 0xff) shl 8) or (bytes[3].toInt() and 0xff)).coerceAtMost(payload.size)
        val seed = (4 until 12).fold(0L) { acc, i -> (acc shl 8) or (bytes[i].toLong() and 0xff) }
        val up = payload.copyOfRange(0, cut)
        val down = payload.copyOfRange(cut, payload.size)
        for (side in listOf(up, down)) proto.accepts(flow, side === up, side, 0, minOf(side.size, StreamProtocol.SNIFF_BYTES))
        val whole = feed(proto, up, down, null, 1 shl 20)
        val split = feed(proto, up, down, Random(seed), 1 shl 20)
        check(whole == split) { "${proto.name}: a split gives other messages:\n$whole\n$split" }
        feed(proto, up, down, Random(seed), 200) // a budget too small for most messages: still no exception
    }

    private fun feed(proto: StreamProtocol, up: ByteArray, down: ByteArray, rnd: Random?, limit: Long): List<PassiveMessage> {
        val budget = ByteBudget(limit)
        val out = ArrayList<PassiveMessage>()
        val parser = proto.create(flow, budget, ServiceMatcher.NONE)
        val sink = MessageSink { _, m -> out += m }
        for ((fromInitiator, side) in listOf(true to up, false to down)) {
            var o = 0
            while (o < side.size && parser.wants(fromInitiator)) {
                val n = if (rnd == null) side.size - o else rnd.nextInt(1, minOf(side.size - o, 64) + 1)
                parser.data(fromInitiator, side, o, n, sink)
                o += n
            }
        }
        parser.end(true, false, sink)
        parser.end(false, false, sink)
        check(budget.peak <= limit) { "${proto.name} held ${budget.peak} bytes, over $limit" }
        parser.release()
        check(budget.used == 0L) { "${proto.name} keeps ${budget.used} bytes after release()" }
        return out
    }

    private fun datagram(payload: ByteArray) {
        val out = MessageSink { _, _ -> }
        val udp = flow.copy(protocol = FlowKey.UDP)
        for (proto in PassiveParsers.DEFAULT.datagram) {
            for (up in listOf(true, false)) {
                proto.accepts(udp, up, payload, 0, payload.size)
                proto.parse(udp, up, payload, 0, payload.size, out)
            }
        }
        DnsCodec.parse(payload, 0, payload.size, false)
        DnsCodec.parse(payload, 0, payload.size, true)
        TlsHello.client(payload, 0, payload.size)
        TlsHello.server(payload, 0, payload.size)
        TlsHello.certificate(payload, 0, payload.size)
    }
}
