package dev.kmap.script

import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import dev.kmap.engine.scan
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals

/** The built-in scripts against real services in the lab: the lab's banner listeners and a web server. */
@RequiresLab(config = BuiltInScriptsLabTest.ScriptLab::class)
class BuiltInScriptsLabTest {
    class ScriptLab : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kms", hosts = 1, net4 = "10.216.0", net6 = "fd10:216::", anyIpPrefix = null,
            ports = HostPorts(tcp = setOf(21, 22, 25), udp = emptySet(), filteredTcp = emptySet(), filteredUdp = emptySet()),
        )
    }

    @TempDir lateinit var cache: File

    private fun runScan(lab: Lab, target: String, vararg selectors: String, args: Map<String, String> = emptyMap()) = runBlocking {
        val plan = scan {
            targets(target)
            ports("21,22,25,8000")
            connect()
            skipDiscovery()
            selectors.forEach { s -> script(s) { args.forEach { (k, v) -> arg(k, v) } } }
        }
        val host = ScriptHost(cacheDir = cache)
        scan(plan, EngineConfig(progressIntervalMillis = 0).withStages(ScriptStage(host.runnerFor(plan)!!))).hosts.single()
    }

    @Test
    fun `banner, http-title and http-headers report exactly what the services send`(lab: Lab) {
        val h = lab.host(1)
        LabHttpServer(lab, h, 8000).use {
            val result = runScan(lab, h.ipv4, "banner", "http-*", args = mapOf("banner.timeout" to "1"))
            assertEquals(listOf(21, 22, 25, 8000), result.ports.filter { it.state == PortState.OPEN }.map { it.port })
            for (p in listOf(21, 22, 25)) {
                val text = "lab ${h.ipv4} $p"
                assertEquals(listOf(ScriptOutput("banner", text, ScriptElement.Table(listOf(ScriptElement.Elem("banner", text))))), result.ports.single { it.port == p }.scripts)
            }
            val web = result.ports.single { it.port == 8000 }.scripts
            // the web server says nothing first: no banner; http-title then http-headers (library order)
            assertEquals(listOf("http-title", "http-headers"), web.map { it.id })
            assertEquals(
                ScriptOutput("http-title", "kmap lab page", ScriptElement.Table(listOf(ScriptElement.Elem("title", "kmap lab page"), ScriptElement.Elem("status", "200")))),
                web[0],
            )
            val headers = listOf(
                "Server: kmap-lab/1.0", "Date: Sat, 21 Nov 2026 00:00:00 GMT", "Content-Type: text/html; charset=utf-8",
                "Content-Length: 75", "X-Lab: kms",
            )
            assertEquals(
                ScriptOutput(
                    "http-headers",
                    "\n  HTTP/1.0 200 OK\n" + headers.joinToString("") { "  $it\n" } + "  \n  (Request type: HEAD)",
                    ScriptElement.Table(listOf(
                        ScriptElement.Elem("status", "200"), ScriptElement.Elem("method", "HEAD"),
                        ScriptElement.Table(headers.map { ScriptElement.Elem(null, it) }, "headers"),
                    )),
                ),
                web[1],
            )
        }
    }

    @Test
    fun `http-title reports a redirect it does not follow, over IPv6, with a path argument`(lab: Lab) {
        val h = lab.host(1)
        LabHttpServer(lab, h, 8000).use {
            val result = runScan(lab, h.ipv6, "http-title", args = mapOf("http-title.path" to "/moved"))
            assertEquals(
                listOf(ScriptOutput("http-title", "Did not follow redirect to /index.html", ScriptElement.Table(listOf(ScriptElement.Elem("redirect_url", "/index.html"), ScriptElement.Elem("status", "301"))))),
                result.ports.single { it.port == 8000 }.scripts,
            )
            assertEquals(emptyList(), result.ports.single { it.port == 22 }.scripts)
        }
    }
}
