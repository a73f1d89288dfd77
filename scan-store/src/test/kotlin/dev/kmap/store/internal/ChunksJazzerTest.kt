package dev.kmap.store.internal

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.store.StoreException

/**
 * Coverage-guided fuzzing (Jazzer) of the store's readers of bytes, the chunk decoders
 * ([PortChunks.decode], [HostChunks.decode]), both on every input: a store file is the user's,
 * so any bytes must decode or raise one [StoreException] with a one-line message; whatever
 * decodes must encode back to a chunk that decodes to the same result.
 *
 * The default test run replays the seeds and past findings (`ChunksJazzerTestInputs/fuzz/`);
 * a longer run: `mvn -pl scan-store surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class ChunksJazzerTest {
    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val bytes = data.consumeRemainingAsBytes()
        ports(bytes)
        hosts(bytes)
    }

    private fun ports(bytes: ByteArray) {
        val ports = decoded { PortChunks.decode(bytes, "chunk") } ?: return
        check(ports.size <= PortChunks.MAX_PORTS)
        if (ports.all { PortChunks.isPlain(it) }) {
            check(PortChunks.decode(PortChunks.encode(ports), "again") == ports) { "chunk does not round-trip: $ports" }
        }
    }

    private fun hosts(bytes: ByteArray) {
        val hosts = decoded { HostChunks.decode(bytes, "chunk") } ?: return
        check(hosts.size <= HostChunks.MAX_HOSTS)
        val again = HostChunks.decode(HostChunks.encode(hosts), "again")
        check(again.map { Triple(it.hostNo, it.finishSeq, it.result) } == hosts.map { Triple(it.hostNo, it.finishSeq, it.result) }) { "chunk does not round-trip" }
    }

    private fun <T> decoded(decode: () -> T): T? = try {
        decode()
    } catch (e: StoreException) {
        val m = e.message.orEmpty()
        check(m.startsWith("chunk") && " is corrupt: " in m && '\n' !in m) { "bad message: \"$m\"" }
        null
    }
}
