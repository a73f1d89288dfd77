package dev.kmap.dsl

import kotlinx.serialization.json.Json
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

public class TargetsJsonTest {
    private val json = Json

    @Test
    public fun `targets with every kind of spec round-trip`() {
        val t = Targets(
            includes = listOf(
                "10.0.0.1", "fd00::1", "10.0.0.5/24", "fd00::/120", "10.0.0-3.1-254", "10.0.0.5-10.0.0.20",
                "fd00::1-fd00::ff", "scanme.nmap.org",
            ).map(TargetSpec::parse) + TargetSpec.File("hosts.txt"),
            excludes = listOf(TargetSpec.parse("10.0.0.7"), TargetSpec.parse("fd00::/64"), TargetSpec.File("ex.txt")),
            randomize = true,
            seed = -42,
            shard = Shard(3, 7),
        )
        val text = json.encodeToString(Targets.serializer(), t)
        assertEquals(t, json.decodeFromString(Targets.serializer(), text))
        assertTrue("\"10.0.0.0\"" in text, text)
        assertTrue("\"type\":\"octets\"" in text && "\"type\":\"cidr\"" in text && "\"type\":\"file\"" in text, text)
        assertEquals(Targets(), json.decodeFromString(Targets.serializer(), "{}"))
    }

    @Test
    public fun `hosts and addresses round-trip`() {
        for (h in listOf(TargetHost.Ip(IpAddress.parse("10.0.0.1")), TargetHost.Ip(IpAddress.parse("fd00::1")), TargetHost.Name("db"))) {
            assertEquals(h, json.decodeFromString(TargetHost.serializer(), json.encodeToString(TargetHost.serializer(), h)))
        }
        assertEquals("\"fd00::1\"", json.encodeToString(IpAddress.serializer(), IpAddress.parse("FD00:0::1")))
    }

    @Test
    public fun `invalid JSON values are refused`() {
        assertFailsWith<IllegalArgumentException> {
            json.decodeFromString(TargetSpec.serializer(), """{"type":"cidr","base":"10.0.0.0","prefix":33}""")
        }
        assertFailsWith<IllegalArgumentException> {
            json.decodeFromString(TargetSpec.serializer(), """{"type":"address","address":"10.0.0.256"}""")
        }
        assertFailsWith<IllegalArgumentException> {
            json.decodeFromString(Shard.serializer(), """{"index":5,"count":4}""")
        }
    }
}
