package dev.kmap.report

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.dsl.InvalidSpecException

/**
 * Coverage-guided fuzzing (Jazzer) of the baseline reader (`--baseline FILE`), the file reader of
 * scan-report: it returns a baseline that round-trips, or raises [InvalidSpecException] with a
 * one-line message. A longer run: `mvn -pl scan-report surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class BaselineJazzerTest {
    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val text = data.consumeRemainingAsString()
        try {
            val b = Baseline.fromJson(text)
            check(Baseline.fromJson(b.toJson()) == b) { "baseline does not round-trip: $b" }
        } catch (e: InvalidSpecException) {
            val m = e.message.orEmpty()
            check(m.isNotBlank() && '\n' !in m) { "bad message: \"$m\"" }
        }
    }
}
