package dev.kmap.dsl

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest

/**
 * Coverage-guided fuzzing (Jazzer) of every reader of user files and text in scan-dsl: targets,
 * ports, expectation files (line format and JSON), plan JSON, script arguments (text and file),
 * shards and timing templates. Each must return or raise [InvalidSpecException] with a one-line
 * message; anything else is a finding.
 *
 * In the test command it runs on its seeds and past findings (`ParsersJazzerTestInputs/fuzz/`),
 * then fuzzes for `kmap.fuzz.seconds`; a longer run:
 * `mvn -pl scan-dsl surefire:test@fuzz -Dkmap.fuzz.seconds=600`.
 */
class ParsersJazzerTest {
    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val which = data.consumeInt(0, 8)
        val text = data.consumeRemainingAsString()
        total(text) {
            when (which) {
                0 -> TargetSpec.parse(text)
                1 -> PortSet.parse(text, setOf(Protocol.TCP, Protocol.UDP))
                2 -> Expectations.parse(text, "policy.txt").also { e -> Expectations.parse(e.toText(), "again") }
                3 -> Expectations.fromJson(text)
                4 -> ScanPlan.fromJson(text).also { p -> check(ScanPlan.fromJson(p.toJson()) == p) { "plan JSON does not round-trip" } }
                5 -> ScriptArgsText.parse(text).also { a -> check(ScriptArgsText.parse(ScriptArgsText.format(a)) == a) { "script args do not round-trip: $a" } }
                6 -> ScriptArgsText.parseFile(text, "args.txt")
                7 -> Shard.parse(text)
                else -> IpAddress.parse(text)
            }
        }
    }

    private inline fun total(input: String, parse: () -> Any) {
        try {
            parse()
        } catch (e: InvalidSpecException) {
            val m = e.message.orEmpty()
            check(m.isNotBlank() && '\n' !in m) { "bad message for \"$input\": \"$m\"" }
        }
    }
}
