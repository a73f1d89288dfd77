package dev.kmap.dsl

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlin.test.Test
import kotlin.test.assertEquals

/** JSON spells every enum one way, nmap's lower case, and still reads the upper-case names of earlier versions. */
class EnumSpellingTest {
    private val plan = scan {
        targets("10.0.0.1"); ports("22"); connect(); udp(); timing(TimingTemplate.T4); dns(DnsResolution.NEVER)
        output { xml("a.xml") }
    }

    private val tree = Json.parseToJsonElement(plan.toJson()).jsonObject

    @Test
    fun `enums are written in lower case`() {
        assertEquals(listOf("connect", "udp"), tree["scanTypes"]!!.jsonArray.map { it.jsonPrimitive.content })
        assertEquals("aggressive", tree["timing"]!!.jsonObject["template"]!!.jsonPrimitive.content)
        assertEquals("never", tree["dns"]!!.jsonPrimitive.content)
        assertEquals("xml", tree["outputs"]!!.jsonArray[0].jsonObject["format"]!!.jsonPrimitive.content)
        val rule = Json.parseToJsonElement(expectations { open(53, Protocol.UDP) }.toJson()).jsonObject["rules"]!!.jsonArray[0].jsonObject
        assertEquals("udp", rule["protocol"]!!.jsonPrimitive.content)
    }

    @Test
    fun `the upper-case spellings of earlier versions are still read`() {
        val old = JsonObject(
            tree + mapOf(
                "scanTypes" to JsonArray(listOf(JsonPrimitive("CONNECT"), JsonPrimitive("UDP"))),
                "timing" to JsonObject(tree["timing"]!!.jsonObject + ("template" to JsonPrimitive("T4"))),
                "dns" to JsonPrimitive("NEVER"),
                "outputs" to JsonArray(listOf(JsonObject(tree["outputs"]!!.jsonArray[0].jsonObject + ("format" to JsonPrimitive("XML"))))),
            ),
        )
        assertEquals(plan, ScanPlan.fromJson(old.toString()))
        val policy = expectations { open(53, Protocol.UDP) }
        val json: JsonElement = Json.parseToJsonElement(policy.toJson())
        val rules = json.jsonObject["rules"]!!.jsonArray.map { JsonObject(it.jsonObject + ("protocol" to JsonPrimitive("UDP"))) }
        assertEquals(policy, Expectations.fromJson(JsonObject(json.jsonObject + ("rules" to JsonArray(rules))).toString()))
    }
}
