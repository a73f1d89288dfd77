package dev.kmap.script

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.StageProvider
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.concurrent.thread
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** `scan(plan)` with kscript-runner on the class path runs `plan.scripts`, once, as the CLI does. */
class ScriptStageTest {
    @Test
    fun `plan scripts run through the class-path stage provider`() = runBlocking {
        assertTrue(StageProvider.onClassPath().any { it is ScriptStageProvider }, "listed in META-INF/services")
        ServerSocket(0, 5, InetAddress.getByName("127.0.0.1")).use { server ->
            thread(isDaemon = true) {
                repeat(2) { runCatching { server.accept().use { s -> s.getOutputStream().write("220 kmap test banner\r\n".toByteArray()); Thread.sleep(200) } } }
            }
            val plan = scan { targets("127.0.0.1"); ports("${server.localPort}"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); script("banner") }
            val host = dev.kmap.engine.scan(plan, EngineConfig(progressIntervalMillis = 0)).hosts.single()
            val scripts = host.ports.single().scripts
            assertEquals(listOf("banner"), scripts.map { it.id }, "the banner script ran once")
            assertTrue("220 kmap test banner" in scripts.single().output, scripts.single().output)
        }
    }
}
