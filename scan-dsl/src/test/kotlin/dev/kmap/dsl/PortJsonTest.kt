package dev.kmap.dsl

import kotlinx.serialization.json.Json
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

internal class PortJsonTest {
    private val json = Json

    @Test
    fun `PortList round-trips`() {
        for (list in listOf(PortList.EMPTY, PortList.of(22), ports("0,22,80-82,65535"), TopPorts.get(Protocol.UDP, 1000))) {
            val text = json.encodeToString(PortList.serializer(), list)
            assertEquals(list, json.decodeFromString(PortList.serializer(), text), text)
        }
        assertEquals("""{"ranges":[{"first":22,"last":22},{"first":80,"last":82}]}""",
            json.encodeToString(PortList.serializer(), ports("22,80-82")))
    }

    @Test
    fun `PortSet round-trips`() {
        for (set in listOf(PortSet(), PortSet.parse("U:53,161,T:21-25,80"), PortSet.parse("[1-1024]", Protocol.entries.toSet()))) {
            val text = json.encodeToString(PortSet.serializer(), set)
            assertEquals(set, json.decodeFromString(PortSet.serializer(), text), text)
        }
    }

    @Test
    fun `decoding ranges that are not normalised fails`() {
        assertFailsWith<InvalidSpecException> {
            json.decodeFromString(PortList.serializer(), """{"ranges":[{"first":80,"last":81},{"first":82,"last":82}]}""")
        }
        assertFailsWith<InvalidSpecException> {
            json.decodeFromString(PortList.serializer(), """{"ranges":[{"first":90,"last":80}]}""")
        }
    }
}
