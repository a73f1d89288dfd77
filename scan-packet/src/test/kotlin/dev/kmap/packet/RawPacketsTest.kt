package dev.kmap.packet

import org.junit.jupiter.api.Assumptions.assumeTrue
import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull

/** The capability check: its decisions, this machine, and a child JVM without CAP_NET_RAW. */
class RawPacketsTest {
    @Test
    fun `reasons are one line each`() {
        assertEquals("raw packets are supported on Linux only (os.name=Mac OS X)", RawPackets.reason("Mac OS X", { null }, { 0 }))
        assertEquals("libpcap is missing: install libpcap0.8", RawPackets.reason("Linux", { UnsatisfiedLinkError("pcap") }, { 0 }))
        assertEquals("raw packets need root or CAP_NET_RAW (socket: Operation not permitted)", RawPackets.reason("Linux", { null }, { 1 }))
        assertNull(RawPackets.reason("Linux", { null }, { 0 }))
    }

    private val isRoot = File("/proc/self/status").readLines().firstOrNull { it.startsWith("Uid:") }?.split(Regex("\\s+"))?.getOrNull(2) == "0"

    @Test
    fun `as root this machine has raw packets`() {
        assumeTrue(isRoot, "not root")
        assertNull(RawPackets.unavailableReason())
    }

    @Test
    fun `without CAP_NET_RAW the reason names the capability`() {
        val setpriv = listOf("/usr/bin/setpriv", "/bin/setpriv").firstOrNull { File(it).canExecute() }
        assumeTrue(isRoot && setpriv != null, "needs root and setpriv (util-linux) to drop the capability")
        val java = File(System.getProperty("java.home"), "bin/java").path
        val p = ProcessBuilder(
            setpriv!!, "--inh-caps=-net_raw", "--bounding-set=-net_raw", "--",
            java, "-cp", System.getProperty("java.class.path"), "dev.kmap.packet.RawPacketsMain",
        ).redirectErrorStream(true).start()
        p.outputStream.close()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(60, TimeUnit.SECONDS)) { "child JVM timed out" }
        assertEquals("raw packets need root or CAP_NET_RAW (socket: Operation not permitted)", out.lines().first { it.startsWith("reason: ") }.removePrefix("reason: "), out)
    }
}

/** Entry point of the child JVM in [RawPacketsTest]. */
object RawPacketsMain {
    @JvmStatic
    fun main(args: Array<String>) {
        println("reason: ${RawPackets.unavailableReason()}")
    }
}
