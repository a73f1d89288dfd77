package dev.kmap.script.proto

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.script.TcpConnection
import dev.kmap.script.internal.Http
import kotlinx.coroutines.runBlocking
import java.io.ByteArrayInputStream
import java.io.IOException
import java.io.OutputStream
import kotlin.time.Duration.Companion.seconds

/**
 * Coverage-guided fuzzing (Jazzer) of every reader of network bytes in kscript-runner: the
 * `proto` parsers (ServerHello, SSH host keys, DNS, BER, NTP, MySQL) and whole exchanges against a
 * made-up server that answers with the fuzzer's bytes (HTTP, TLS records, SSH, PostgreSQL). Each
 * must return or raise [ProtocolException] (HTTP: an [IOException]) within bounded memory;
 * anything else is a finding. Seeds: `ProtocolsJazzerTestInputs/fuzz/` (a trailing byte picks the
 * target). A longer run: `mvn -pl kscript-runner surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class ProtocolsJazzerTest {
    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val which = data.consumeInt(0, 9)
        val bytes = data.consumeRemainingAsBytes()
        try {
            when (which) {
                0 -> TlsHello.parseServerHello(bytes)
                1 -> SshHostKey.parse(bytes).run { listOf(algorithm, bits, type, sha256, md5, publicKey) }
                2 -> DnsMessage.parse(bytes).run { answers.map { listOf(it.text, it.address) } + nsid + rcode }
                3 -> walk(Ber.decode(bytes))
                4 -> NtpPacket.parse(bytes)
                5 -> MysqlHandshake.parse(bytes).run { listOf(version, authPlugin, capabilityNames) }
                6 -> exchange(bytes) { Http.exchange(it, "fuzz", "GET", "/", emptyMap(), null, 1 shl 16) }
                7 -> exchange(bytes) { TlsHello.exchange(it, TlsHello.clientHello(TlsHello.TLS13, listOf(0x1301), listOf("h2"), "fuzz.example")) }
                8 -> exchange(bytes) { SshClient(it).run { exchangeVersions(); hostKey("ssh-ed25519") } }
                else -> exchange(bytes) { PgsqlSession(it).start("postgres", password = "fuzz") }
            }
        } catch (e: ProtocolException) {
            check(!e.message.isNullOrBlank()) { "ProtocolException without a message" }
        } catch (e: IOException) {
            if (which != 6) throw e
        }
    }

    /** Every node of a BER tree and each one's value readers, without recursion (the nesting is the peer's). */
    private fun walk(root: Ber) {
        val todo = ArrayDeque(listOf(root))
        var seen = 0
        while (todo.isNotEmpty() && seen++ < 10_000) {
            val n = todo.removeLast()
            for (read in listOf({ n.integer() }, { n.unsigned() }, { n.oidString() }, { n.text() })) {
                try { read() } catch (e: ProtocolException) { check(!e.message.isNullOrBlank()) }
            }
            todo += n.children
        }
    }

    /** Runs [client] against a peer that sends [reply] and then closes; what the client sends is dropped. */
    private fun <T> exchange(reply: ByteArray, client: suspend (TcpConnection) -> T): T? =
        TcpConnection(null, ByteArrayInputStream(reply), OutputStream.nullOutputStream(), 1.seconds).use { c -> runBlocking { client(c) } }
}
