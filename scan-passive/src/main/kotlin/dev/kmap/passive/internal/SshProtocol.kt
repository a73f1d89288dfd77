package dev.kmap.passive.internal

import dev.kmap.passive.ByteBudget
import dev.kmap.passive.FlowKey
import dev.kmap.passive.MessageSink
import dev.kmap.passive.PassiveMessage
import dev.kmap.passive.ServiceMatcher
import dev.kmap.passive.StreamParser
import dev.kmap.passive.StreamProtocol

/** SSH: the identification line of each side (RFC 4253 4.2: servers may send other lines first). */
internal object SshProtocol : StreamProtocol {
    override val name = "ssh"

    override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int) =
        length >= 4 && buffer[offset] == 'S'.code.toByte() && buffer[offset + 1] == 'S'.code.toByte() &&
            buffer[offset + 2] == 'H'.code.toByte() && buffer[offset + 3] == '-'.code.toByte()

    override fun create(flow: FlowKey, budget: ByteBudget, matcher: ServiceMatcher): StreamParser = SshParser()
}

internal class SshParser : StreamParser {
    private class Side { val line = ByteArray(MAX_LINE); var len = 0; var lines = 0; var done = false }

    private val up = Side()
    private val down = Side()
    override var poisonReason: String? = null
        private set

    override fun data(fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        var i = offset
        val end = offset + length
        while (i < end && !s.done && poisonReason == null) {
            val c = buffer[i++]
            if (c == '\n'.code.toByte()) {
                var n = s.len
                if (n > 0 && s.line[n - 1] == '\r'.code.toByte()) n--
                s.len = 0
                if (n >= 4 && s.line[0] == 'S'.code.toByte() && s.line[1] == 'S'.code.toByte() && s.line[2] == 'H'.code.toByte() && s.line[3] == '-'.code.toByte()) {
                    s.done = true
                    out.message(fromInitiator, banner(text(s.line, 0, n)))
                } else if (fromInitiator || ++s.lines > MAX_LINES) {
                    poisonReason = "no SSH identification line"
                }
            } else {
                if (s.len == MAX_LINE) { poisonReason = "SSH identification line longer than $MAX_LINE bytes"; return }
                s.line[s.len++] = c
            }
        }
    }

    private fun banner(line: String): PassiveMessage.SshBanner {
        val afterProto = line.removePrefix("SSH-")
        val proto = afterProto.substringBefore('-')
        val rest = afterProto.substringAfter('-', "")
        val software = rest.substringBefore(' ')
        val comment = rest.substringAfter(' ', "").ifEmpty { null }
        return PassiveMessage.SshBanner(line, proto, software, comment)
    }

    override fun gap(fromInitiator: Boolean, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        if (!s.done) poisonReason = "a gap before the SSH identification line"
    }

    override fun end(fromInitiator: Boolean, reset: Boolean, out: MessageSink) {}
    override fun wants(fromInitiator: Boolean) = poisonReason == null && !(if (fromInitiator) up else down).done

    private companion object {
        const val MAX_LINE = 255
        const val MAX_LINES = 20
    }
}
