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

/**
 * `scan(plan)` with kscript-runner on the class path runs `plan.scripts`, once, as the CLI does,
 * and leaves no script worker JVM behind.
 */
class ScriptStageTest {
    /** Child processes of this JVM started since [before] (script workers: the only processes these tests start). */
    private fun workers(before: Set<Long>): List<ProcessHandle> = ProcessHandle.current().children().filter { it.isAlive && it.pid() !in before }.toList()

    /** The children running now (other tests of this JVM may have left workers of runners they did not close). */
    private fun running(): Set<Long> = ProcessHandle.current().children().map { it.pid() }.toList().toSet()

    /** Waits (at most 10 s) until no worker started since [before] is left, and says how many were. */
    private fun workersLeft(before: Set<Long>): Int {
        val deadline = System.nanoTime() + 10_000_000_000L
        while (workers(before).isNotEmpty() && System.nanoTime() < deadline) Thread.sleep(50)
        return workers(before).size
    }

    @Test
    fun `a scan through the stage provider ends its script worker`() = runBlocking {
        ServerSocket(0, 5, InetAddress.getByName("127.0.0.1")).use { server ->
            val plan = scan { targets("127.0.0.1"); ports("${server.localPort}"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); script("banner") }
            val before = running()
            repeat(2) { dev.kmap.engine.scan(plan, EngineConfig(progressIntervalMillis = 0)) }
            assertEquals(0, workersLeft(before), "a worker JVM per scan(plan) was left running")
        }
    }

    @Test
    fun `a registered scripts stage wins and the provider starts no worker`() = runBlocking {
        ServerSocket(0, 5, InetAddress.getByName("127.0.0.1")).use { server ->
            val plan = scan { targets("127.0.0.1"); ports("${server.localPort}"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); script("banner") }
            val before = running()
            ScriptHost().runnerFor(plan)!!.use { runner ->
                assertEquals(1, workers(before).size, "the registered runner's worker")
                dev.kmap.engine.scan(plan, EngineConfig(progressIntervalMillis = 0).withStages(ScriptStage(runner)))
                assertEquals(1, workers(before).size, "only the registered runner's worker ran")
            }
            assertEquals(0, workersLeft(before))
        }
    }

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

    @Test
    fun `scripts see what -sV found - http-title runs on a web server at an unusual port`() = runBlocking {
        ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { server ->
            thread(isDaemon = true) {
                // an HTTP server that says nothing first: only -sV's GetRequest probe tells it is http
                repeat(40) {
                    val c = runCatching { server.accept() }.getOrNull() ?: return@thread
                    thread(isDaemon = true) {
                        runCatching {
                            c.use { s ->
                                s.soTimeout = 3_000
                                val buf = ByteArray(1024)
                                val n = s.getInputStream().read(buf)
                                if (n > 0 && String(buf, 0, n, Charsets.ISO_8859_1).startsWith("GET ")) {
                                    val body = "<html><head><title>unusual port</title></head></html>"
                                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nServer: acme-web/3.1\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n$body".toByteArray())
                                }
                            }
                        }
                    }
                }
            }
            val port = server.localPort
            val without = scan { targets("127.0.0.1"); ports("$port"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); script("http-title") }
            assertEquals(emptyList(), dev.kmap.engine.scan(without, EngineConfig(progressIntervalMillis = 0)).hosts.single().ports.single().scripts.map { it.id },
                "without -sV the port number does not say http")
            val plan = scan { targets("127.0.0.1"); ports("$port"); connect(); skipDiscovery(); dns(DnsResolution.NEVER); serviceDetection(); script("http-title") }
            val p = dev.kmap.engine.scan(plan, EngineConfig(progressIntervalMillis = 0)).hosts.single().ports.single()
            assertEquals("http", p.service)
            assertEquals("GetRequest", p.serviceInfo?.probe)
            assertEquals(listOf("http-title"), p.scripts.map { it.id })
            assertTrue("unusual port" in p.scripts.single().output, p.scripts.single().output)
        }
    }
}
