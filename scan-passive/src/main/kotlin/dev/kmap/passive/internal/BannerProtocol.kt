package dev.kmap.passive.internal

import dev.kmap.passive.ByteBudget
import dev.kmap.passive.FlowKey
import dev.kmap.passive.MessageSink
import dev.kmap.passive.PassiveMessage
import dev.kmap.passive.ServiceMatcher
import dev.kmap.passive.StreamParser
import dev.kmap.passive.StreamProtocol

/**
 * What a server sends before its client speaks: up to [MAX] bytes, reported as a
 * [PassiveMessage.ServerBanner] when the client speaks, the server's side ends or [MAX] bytes
 * are there, and handed to the [ServiceMatcher].
 */
internal object BannerProtocol : StreamProtocol {
    const val MAX = 512
    override val name = "banner"
    override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int) = !fromInitiator && length > 0
    override fun create(flow: FlowKey, budget: ByteBudget, matcher: ServiceMatcher): StreamParser = BannerParser(flow.responderPort, matcher)
}

internal class BannerParser(private val port: Int, private val matcher: ServiceMatcher) : StreamParser {
    private val buf = ByteArray(BannerProtocol.MAX)
    private var len = 0
    private var done = false
    override val poisonReason: String? get() = null

    override fun data(fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
        if (done) return
        if (fromInitiator) { report(out); return }
        val take = minOf(length, buf.size - len)
        System.arraycopy(buffer, offset, buf, len, take)
        len += take
        if (len == buf.size) report(out)
    }

    private fun report(out: MessageSink) {
        if (done) return
        done = true
        if (len == 0) return
        val t = text(buf, 0, len, 1024).replace("\\x0d\\x0a", "\n").trimEnd('\n')
        out.message(false, PassiveMessage.ServerBanner(t))
        val m = try { matcher.match(port, String(buf, 0, len, Charsets.ISO_8859_1)) } catch (_: RuntimeException) { null }
        if (m != null) out.message(false, m)
    }

    override fun gap(fromInitiator: Boolean, length: Int, out: MessageSink) = report(out)
    override fun end(fromInitiator: Boolean, reset: Boolean, out: MessageSink) = report(out)
    override fun wants(fromInitiator: Boolean) = !done
}
