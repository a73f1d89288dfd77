package dev.kmap.lab

import org.junit.jupiter.api.Assumptions
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.ConnectException
import java.net.InetSocketAddress
import java.net.Socket
import java.nio.file.Files
import java.nio.file.Paths
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * Up/down of labs this class owns (prefixes kmlc and kmld, addresses 10.209.0.x,
 * 10.210.0.0/16, fd10:209::), next to the shared default lab of the other tests.
 */
@Tag("lab")
class LabLifecycleTest {
    // The skip decision of @RequiresLab (which would also start the default lab, not needed here).
    // Per test, not in @BeforeAll: Surefire reports a class aborted in @BeforeAll as "Tests run: 0"
    // instead of as skipped tests.
    @BeforeEach
    fun needsLab() {
        val reason = LabExtension.skipReason()
        Assumptions.assumeTrue(reason == null, reason)
    }

    companion object {
        private val config = LabConfig(
            prefix = "kmlc", hosts = 3, net4 = "10.209.0", net6 = "fd10:209::", anyIpPrefix = "10.210.0.0/16",
            hostPorts = mapOf(3 to HostPorts(tcp = setOf(7000), udp = emptySet(), filteredTcp = emptySet(), filteredUdp = emptySet())),
            liftIcmpRateLimit = true, dropRstSourcePorts = 61000..61099,
        )

        fun sh(vararg cmd: String): String {
            val p = ProcessBuilder(*cmd).redirectErrorStream(true).start()
            val out = p.inputStream.bufferedReader().readText()
            check(p.waitFor(10, TimeUnit.SECONDS)) { "timeout: ${cmd.toList()}" }
            return out
        }

        fun leftovers(prefix: String, anyIp: String?): List<String> {
            val found = mutableListOf<String>()
            sh("ip", "netns", "list").lines().filter { it.startsWith("$prefix-") }.forEach { found += "netns $it" }
            sh("ip", "-o", "link", "show").lines().map { it.substringAfter(": ").substringBefore(":").substringBefore("@") }
                .filter { it.startsWith("$prefix-") }.forEach { found += "link $it" }
            // the unreachable routes stay after down on purpose (until release, at JVM exit)
            if (anyIp != null) sh("ip", "route", "show", anyIp).lines().filter { it.isNotBlank() && !it.startsWith("unreachable") }.forEach { found += "route $it" }
            sh("nft", "list", "tables").lines().filter { it.contains("${prefix}_") }.forEach { found += "nft $it" }
            if (Files.exists(Paths.get("/run/kmap-lab/$prefix.state"))) found += "state pointer /run/kmap-lab/$prefix.state"
            Files.list(Paths.get("/tmp")).use { l -> l.filter { it.fileName.toString().startsWith("kmap-lab-$prefix.") }.forEach { found += "state dir $it" } }
            sh("ps", "-eo", "args").lines().filter { it.contains("/kmap-lab-$prefix.") && it.contains("listener.py") }.forEach { found += "process $it" }
            return found
        }
    }

    @Test
    fun `up twice, down twice, nothing left, up again`() {
        val lab = Lab(config)
        try {
            lab.up()
            lab.up() // no-op while up
            assertTrue(lab.isUp)
            assertTrue(sh("ip", "netns", "list").contains("kmlc-target3"))
            assertTrue(sh("nft", "list", "tables").contains("kmlc_lab"), "RST-drop table")
            assertTrue(sh("ip", "netns", "exec", "kmlc-target1", "sysctl", "-n", "net.ipv4.icmp_ratelimit").trim() == "0")
            assertTrue(lab.status().contains("kmlc-target2"))
            // per-host override: host 3 listens only on 7000, 22 is closed there
            val h3 = lab.host(3)
            assertEquals(setOf(7000), h3.openTcpPorts)
            assertEquals(PortState.CLOSED, h3.tcpState(22))
            Socket().use { s ->
                s.connect(InetSocketAddress(h3.inet4, 7000), 1500)
                assertEquals("lab 10.209.0.13 7000", s.getInputStream().bufferedReader().readLine())
            }
            assertThrows<ConnectException> { Socket().use { it.connect(InetSocketAddress(h3.inet4, 22), 1500) } }
        } finally {
            lab.down()
        }
        assertFalse(lab.isUp)
        assertEquals(emptyList(), leftovers("kmlc", config.anyIpPrefix))
        lab.down()
        assertEquals(emptyList(), leftovers("kmlc", config.anyIpPrefix))
        // a Lab object can go up again after down
        lab.use {
            it.up()
            assertTrue(sh("ip", "netns", "list").contains("kmlc-target1"))
        }
        assertEquals(emptyList(), leftovers("kmlc", config.anyIpPrefix))
    }

    @Test
    fun `up cleans up what a crashed run left behind`() {
        val script = Lab.extractScript()
        try {
            val pb = ProcessBuilder("bash", script.toString(), "up").redirectErrorStream(true)
            pb.environment().putAll(config.toEnv())
            val p = pb.start()
            p.inputStream.bufferedReader().readText()
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
        } finally {
            Files.deleteIfExists(script)
        }
        assertTrue(sh("ip", "netns", "list").contains("kmlc-target1"))
        Lab(config).use { lab ->
            lab.up()
            assertTrue(lab.isUp)
        }
        assertEquals(emptyList(), leftovers("kmlc", config.anyIpPrefix))
    }

    @Test
    fun `a lab whose addresses are in use does not start and leaves nothing behind`() {
        Lab(config).use { first ->
            first.up()
            val clash = Lab(config.copy(prefix = "kmld", anyIpPrefix = null))
            val e = assertThrows<LabException> { clash.up() }
            assertTrue(e.message!!.contains("already in use"), e.message)
            assertFalse(clash.isUp)
            assertEquals(emptyList(), leftovers("kmld", null))
            // the first lab is unharmed
            Socket().use { s ->
                s.connect(InetSocketAddress(first.host(1).inet4, 80), 1500)
                assertEquals("lab 10.209.0.11 80", s.getInputStream().bufferedReader().readLine())
            }
        }
        assertEquals(emptyList(), leftovers("kmlc", config.anyIpPrefix))
    }
}
