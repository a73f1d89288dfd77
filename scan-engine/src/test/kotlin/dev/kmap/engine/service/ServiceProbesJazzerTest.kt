package dev.kmap.engine.service

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.engine.service.internal.NmapProbeFormat
import dev.kmap.engine.service.internal.PcreTranslator
import dev.kmap.engine.service.internal.ReplyMatcher

/**
 * Coverage-guided fuzzing (Jazzer) of `-sV`'s readers: probe databases in kmap's and nmap's format
 * (`--service-db FILE`), nmap's PCRE patterns translated to Java's, and replies of any peer
 * matched against the shipped database. A database reads or raises [InvalidSpecException] with one
 * line; a pattern compiles or raises IllegalArgumentException; a reply matches or not, never throws.
 * A longer run: `mvn -pl scan-engine surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class ServiceProbesJazzerTest {
    private val builtIn = ServiceDatabase.builtIn().compiled

    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        when (data.consumeInt(0, 3)) {
            0 -> database { ServiceDatabase.parse(data.consumeRemainingAsString(), "fuzz.probes") }
            1 -> database { NmapProbeFormat.parse(data.consumeRemainingAsString(), "nmap-service-probes") }
            2 -> {
                val probe = builtIn[data.consumeInt(0, builtIn.size - 1)]
                val reply = data.consumeRemainingAsString()
                ReplyMatcher.match(probe, reply)
                ReplyMatcher.match(probe, reply, onlyService = "http", skipSoft = true)
            }
            else -> try {
                PcreTranslator.compile(data.consumeRemainingAsString(), caseInsensitive = data.consumeBoolean(), dotAll = true)
            } catch (e: IllegalArgumentException) {
                Unit
            }
        }
    }

    private inline fun database(read: () -> Any) {
        try {
            read()
        } catch (e: InvalidSpecException) {
            val m = e.message.orEmpty()
            check(m.isNotBlank() && '\n' !in m) { "bad message: \"$m\"" }
        }
    }
}
