package dev.kmap.store

import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanStats
import dev.kmap.engine.ScriptOutput
import dev.kmap.store.internal.Migrations
import kotlinx.serialization.KSerializer
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals

/** The store keeps every field of the result model, and both dialects have the same migrations. */
class SchemaTest {
    private fun fields(s: KSerializer<*>) = (0 until s.descriptor.elementsCount).map { s.descriptor.getElementName(it) }

    @Test
    fun `every field of the result model has a place in the store`() {
        val hint = "a field was added to the result model: store it (a migration in both dialects, Tables, ScanWriter, RowReader) and list it here"
        assertEquals(
            listOf(
                "host", "status", "reason", "ports", "reverseName", "latencyMicros", "startedAtMillis", "finishedAtMillis", "timedOut", "error",
                "hostScripts", "mac", "hostnames", "os",
            ),
            fields(HostResult.serializer()), hint,
        )
        assertEquals(listOf("port", "protocol", "state", "reason", "service", "rttMicros", "scripts", "serviceInfo"), fields(PortResult.serializer()), hint)
        assertEquals(listOf("id", "output", "elements"), fields(ScriptOutput.serializer()), hint)
        assertEquals(listOf("address", "name"), fields(Host.serializer()), hint)
        assertEquals(
            listOf(
                "startedAtMillis", "finishedAtMillis", "hostsUp", "hostsDown", "hostsTotal", "probesSent", "interrupted",
                "probesUnanswered", "reprobes", "reprobesAnswered", "rateLowered",
            ),
            fields(ScanStats.serializer()), hint,
        )
    }

    @Test
    fun `both dialects have the same versioned migrations, up to LATEST`() {
        val root = File("src/main/resources/dev/kmap/store/migration")
        val versions = listOf("sqlite", "postgresql").map { d ->
            File(root, d).list()!!.map { Regex("V(\\d+)__.*\\.sql").matchEntire(it)!!.groupValues[1].toInt() }.sorted()
        }
        assertEquals(versions[0], versions[1])
        assertEquals((1..Migrations.LATEST).toList(), versions[0])
    }
}
