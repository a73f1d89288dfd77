package dev.kmap.dsl

import kotlin.test.Test
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * A JSON document cut inside a string is one line naming the document (the JSON library raised a
 * StringIndexOutOfBoundsException on `{"formatVersion":  "100`, a fuzzing finding).
 */
class TruncatedJsonTest {
    private val cut = listOf("{\"formatVersion\":  \"100", "{\"targets\": \"10", "{\"rules\":[{\"type\":\"open\",\"port\":\"4", "{\"a\":\"")

    @Test
    fun `every JSON reader of scan-dsl raises one line on a document cut inside a value`() {
        val readers = mapOf<String, (String) -> Any>(
            "scan plan" to ScanPlan::fromJson,
            "expectations" to Expectations::fromJson,
            "passive plan" to PassivePlan::fromJson,
        )
        for ((what, read) in readers) {
            for (text in cut) {
                val e = assertFailsWith<InvalidSpecException>("$what: $text") { read(text) }
                val m = e.message.orEmpty()
                assertTrue(m.startsWith("invalid $what JSON: ") && '\n' !in m, m)
            }
        }
    }
}
