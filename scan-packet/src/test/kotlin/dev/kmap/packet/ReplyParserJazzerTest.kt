package dev.kmap.packet

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.packet.internal.PacketDecoder

/**
 * Coverage-guided fuzzing (Jazzer) of the reply parser, the one reader of network bytes in
 * scan-packet: every frame of every link type, at any offset, decodes to a [ParsedReply] without
 * an exception (it is called without the public entry point's safety net, so any exception
 * shows). Seeds: `ReplyParserJazzerTestInputs/fuzz/` (a trailing byte picks the link type, the one
 * before it the offset). A longer run: `mvn -pl scan-packet surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class ReplyParserJazzerTest {
    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val linkType = LinkType.entries[data.consumeInt(0, LinkType.entries.size - 1)]
        val offset = data.consumeInt(0, 7)
        val frame = data.consumeRemainingAsBytes()
        if (offset > frame.size) return
        PacketDecoder.decode(frame, offset, frame.size - offset, linkType)
        // the public entry point agrees on the same bytes
        ReplyParser.parse(frame, offset, frame.size - offset, linkType)
    }
}
