package dev.kmap.cli

import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostResolver
import java.net.InetAddress
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** `-sL` and unresolvable names, through the CLI (names come from a fake resolver: no DNS). */
class ListScanCliTest {
    private val resolver = object : HostResolver {
        override fun resolve(name: String, preferIpv6: Boolean) = if (name == "db.example") listOf(InetAddress.getByName("127.0.0.9")) else emptyList()
        override fun reverse(address: InetAddress) = if (address.address.last() == 2.toByte()) "two.example" else null
    }
    private val engine = EngineConfig(progressIntervalMillis = 0, resolver = resolver)

    @Test
    fun `-sL lists the targets with reverse names and sends nothing`() {
        val r = test(listOf("-sL", "127.0.0.1-3", "db.example"), engine = engine)
        assertEquals(0, r.code, r.err)
        val reports = r.out.lines().filter { it.startsWith("kmap scan report for") }
        assertEquals(
            listOf("kmap scan report for 127.0.0.1", "kmap scan report for two.example (127.0.0.2)", "kmap scan report for 127.0.0.3", "kmap scan report for db.example (127.0.0.9)"),
            reports,
        )
        assertTrue(r.out.contains("4 IP addresses (0 hosts up)"), r.out)
    }

    @Test
    fun `an unresolvable name is said on stderr and the scan goes on`() {
        LoopbackPorts().use { p ->
            val r = test(listOf("-sT", "-Pn", "-n", "-p", "${p.open}", "nowhere.example", "127.0.0.1"), engine = engine)
            assertEquals(0, r.code, r.err)
            assertEquals(listOf("Failed to resolve \"nowhere.example\"."), r.errLines)
            assertTrue("Failed to resolve" !in r.out, r.out)
            assertTrue(r.out.contains("${p.open}/tcp open"), r.out)
        }
    }
}
