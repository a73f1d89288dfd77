package dev.kmap.store.internal

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.store.StoreException

/**
 * Coverage-guided fuzzing (Jazzer) of the store's one reader of bytes, the port-chunk decoder
 * ([PortChunks.decode]): a store file is the user's, so any bytes must decode or raise one
 * [StoreException] with a one-line message; whatever decodes must encode back to a chunk that
 * decodes to the same ports.
 *
 * The default test run replays the seeds and past findings (`PortChunksJazzerTestInputs/fuzz/`);
 * a longer run: `mvn -pl scan-store surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class PortChunksJazzerTest {
    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val bytes = data.consumeRemainingAsBytes()
        val ports = try {
            PortChunks.decode(bytes, "chunk")
        } catch (e: StoreException) {
            val m = e.message.orEmpty()
            check(m.startsWith("chunk is corrupt: ") && '\n' !in m) { "bad message: \"$m\"" }
            return
        }
        check(ports.size <= PortChunks.MAX_PORTS)
        if (ports.all { PortChunks.isPlain(it) }) {
            check(PortChunks.decode(PortChunks.encode(ports), "again") == ports) { "chunk does not round-trip: $ports" }
        }
    }
}
