package dev.kmap.lab

import org.junit.jupiter.api.Assumptions
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/**
 * The lab's own safety: a fresh private state directory per lab, a lock file that is never
 * followed through a symbolic link, and unreachable routes that outlive `down`. Prefix kh,
 * 10.245.0/24, fd10:245::/64 (see the address plan).
 */
class LabSafetyTest {
    @TempDir lateinit var tmp: Path

    private val config = LabConfig(prefix = "kh", hosts = 1, net4 = "10.245.0", net6 = "fd10:245::", anyIpPrefix = null)

    private fun routeGet(address: String): Pair<Int, String> {
        val p = ProcessBuilder("ip", "-o", "route", "get", address).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(10, TimeUnit.SECONDS))
        return p.exitValue() to out.trim()
    }

    @Test
    fun `the lock file is not followed through a symbolic link`() {
        val target = Files.writeString(tmp.resolve("precious"), "keep me")
        val link = Files.createSymbolicLink(tmp.resolve("kmap-lab-kh.lock"), target)
        val e = assertFailsWith<LabException> { Lab.openLock(link) }
        assertTrue("is a symbolic link" in e.message.orEmpty(), e.message)
        assertEquals("keep me", Files.readString(target))
        Lab.openLock(tmp.resolve("plain.lock")).close() // a plain path still works
    }

    @Test
    fun `a fresh private state directory per lab, unreachable routes after down until release`() {
        LabPreconditions.unavailableReason()?.let { Assumptions.assumeTrue(false, it) }
        Assumptions.assumeFalse(System.getProperty("kmap.lab.skip") == "true", "lab tests disabled")
        val lab = Lab(config)
        try {
            lab.up()
            val first = lab.stateDir
            assertTrue(first.fileName.toString().matches(Regex("kmap-lab-kh\\.[A-Za-z0-9]{8}")), "$first")
            // root writes and lists it; the daemons of other users only pass through to their directories
            assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)))
            assertEquals(0, Files.getAttribute(first, "unix:uid"))
            assertTrue(Files.isRegularFile(first.resolve("listener.py")))
            // while up the lab's own routes win
            assertTrue(routeGet("10.245.0.11").second.contains("dev kh-br0"), routeGet("10.245.0.11").second)
            lab.down()
            assertFalse(Files.exists(first), "$first left behind")
            // down: the addresses answer unreachable, nothing would leave the machine
            for (a in listOf("10.245.0.11", "fd10:245::11")) {
                val (code, out) = routeGet(a)
                assertNotEquals(0, code, out)
                assertTrue("No route to host" in out, "$a: $out")
            }
            lab.up()
            assertNotEquals(first, lab.stateDir)
        } finally {
            lab.release()
        }
        assertFalse(routeGet("10.245.0.11").second.contains("unreachable"))
        assertFalse(Files.exists(java.nio.file.Paths.get("/run/kmap-lab/kh.state")))
    }
}
