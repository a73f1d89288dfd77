package dev.kmap.engine.service

import dev.kmap.dsl.Protocol
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** nmap's own probe file, where nmap is installed (it is not shipped with kmap): it must load whole. */
class NmapFileSmokeTest {
    @Test
    fun `nmap's installed probe file loads and matches an OpenSSH banner`() {
        val path = ServiceDatabase.NMAP_PATHS.firstOrNull { File(it).isFile }
        assumeTrue(path != null, "nmap is not installed")
        val t0 = System.nanoTime()
        val db = ServiceDatabase.read("nmap")
        val ms = (System.nanoTime() - t0) / 1_000_000
        println("nmap-service-probes: ${db.probes.size} probes, ${db.probes.sumOf { it.matches.size }} rules, ${db.skipped.size} skipped, $ms ms")
        db.skipped.take(30).forEach { println("  skipped: $it") }
        assertTrue(db.probes.size > 100)
        assertTrue(db.skipped.size < 20, "skipped ${db.skipped.size}")
        val hit = db.match("NULL", Protocol.TCP, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n".toByteArray())
        assertEquals("OpenSSH", hit?.product)
        assertEquals("9.2p1 Debian 2+deb12u10", hit?.version)
    }
}
