package dev.kmap.lab

import org.junit.jupiter.api.Assumptions
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/**
 * Services come up again after a restart with fresh facts, and nothing of them is left
 * after the lab goes down (prefix kmsw, 10.219.0.x, fd10:219::).
 */
@Tag("lab")
class LabServicesLifecycleTest {
    @BeforeEach
    fun needsLab() {
        val reason = LabExtension.skipReason()
        Assumptions.assumeTrue(reason == null, reason)
    }

    companion object {
        private val config = LabConfig(
            prefix = "kmsw", hosts = 2, net4 = "10.219.0", net6 = "fd10:219::", anyIpPrefix = null,
            services = mapOf(2 to setOf(LabService.NGINX, LabService.POSTGRESQL, LabService.REDIS, LabService.DNS)),
        )

        /** The pids of the processes in network namespace [ns] (`ip netns pids`). */
        fun netnsPids(ns: String): Set<Long> {
            val p = ProcessBuilder("ip", "netns", "pids", ns).redirectErrorStream(true).start()
            val out = p.inputStream.bufferedReader().readText()
            check(p.waitFor(10, TimeUnit.SECONDS)) { "ip netns pids $ns timed out" }
            return out.lines().mapNotNull { it.trim().toLongOrNull() }.toSet()
        }

        private fun pidFiles(lab: Lab, host: Int): Map<String, Long> =
            Files.list(lab.servicesDir(host)).use { s -> s.filter { it.fileName.toString().endsWith(".pid") }.toList() }
                .associate { it.fileName.toString().removeSuffix(".pid") to it.toFile().readText().trim().toLong() }

        /** Whether [pid] runs: exists and is no zombie (an exited daemon stays one until its adoptive parent reaps it). */
        fun alive(pid: Long): Boolean = try {
            Files.readAllLines(java.nio.file.Paths.get("/proc/$pid/status")).any { it.startsWith("State:") && !it.contains("Z") }
        } catch (_: Exception) {
            false
        }

        /** Processes whose command line mentions the lab's state directory (our daemons' configs live there). */
        private fun processesUsing(stateDir: java.nio.file.Path): List<String> = ProcessHandle.allProcesses().toList().mapNotNull { ph ->
            val cmd = try {
                String(Files.readAllBytes(java.nio.file.Paths.get("/proc/${ph.pid()}/cmdline"))).replace('\u0000', ' ')
            } catch (_: Exception) {
                return@mapNotNull null
            }
            if (cmd.contains("$stateDir/")) "${ph.pid()} $cmd" else null
        }
    }

    @Test
    fun `restart gives fresh daemons and facts, down leaves no process, directory or namespace`() {
        Lab(config).use { lab ->
            lab.up()
            assertEquals(emptySet(), lab.host(1).services)
            assertEquals(setOf(LabService.NGINX, LabService.POSTGRESQL, LabService.REDIS, LabService.DNS), lab.host(2).services)
            assertEquals(setOf(161), lab.host(2).ports.udp) // the listener keeps the ports no daemon owns
            assertEquals(setOf(53, 161), lab.host(2).openUdpPorts)
            val first = pidFiles(lab, 2)
            assertEquals(setOf("nginx", "postgresql", "redis", "nsd"), first.keys)
            val inNs = netnsPids(lab.host(2).name)
            for ((name, pid) in first) {
                assertTrue(alive(pid), "$name not running")
                assertContains(inNs, pid, name)
            }
            val sha = lab.facts(2).tls.sha256
            val millis = lab.facts(2).startMillis
            println("[kmap lab] nginx+postgresql+redis+nsd up in $millis ms (postgresql ${lab.facts(2).startMillis(LabService.POSTGRESQL)} ms)")
            assertThrowsLab { lab.facts(1) }

            lab.down()
            lab.up() // up after down: a clean second start
            val second = pidFiles(lab, 2)
            assertEquals(first.keys, second.keys)
            for ((name, pid) in first) assertFalse(alive(pid), "old $name ($pid) still running")
            for ((name, pid) in second) assertTrue(alive(pid), "$name not running after restart")
            assertNotEquals(sha, lab.facts(2).tls.sha256) // a new key and certificate
            assertEquals("CN=www.kmap.lab,O=kmap lab,C=XX", lab.facts(2).tls.subject)

            val stateDir = lab.stateDir
            lab.down()
            for ((name, pid) in second) assertFalse(alive(pid), "$name ($pid) still running after down")
            assertFalse(Files.exists(stateDir), "$stateDir left behind")
            assertEquals(emptyList(), processesUsing(stateDir))
            val namespaces = ProcessBuilder("ip", "netns", "list").start().inputStream.bufferedReader().readText()
            assertFalse(namespaces.lines().any { it.startsWith("kmsw-") }, namespaces)
        }
    }

    private fun assertThrowsLab(block: () -> Unit) {
        val e = runCatching(block).exceptionOrNull()
        assertTrue(e is LabException, "expected a LabException, got $e")
    }
}
