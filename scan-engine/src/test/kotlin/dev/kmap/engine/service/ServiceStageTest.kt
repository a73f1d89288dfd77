package dev.kmap.engine.service

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * -sV as the engine's SERVICE_DETECTION stage, on loopback: one PortUpdated per detected port
 * before its host, nothing for closed ports, the scan's budget (probe count, --max-rate), a host
 * cut short by --host-timeout and a stop in the middle end the stage at once, a second run gives
 * the same answer, and a bad database fails before the first event.
 */
class ServiceStageTest {
    private val servers = ArrayList<ServerSocket>()
    private val loopback = InetAddress.getByName("127.0.0.1")

    @AfterTest
    fun close() { servers.forEach { runCatching { it.close() } } }

    private fun server(serve: (Socket) -> Unit): Int {
        val s = ServerSocket(0, 50, loopback)
        servers += s
        Thread {
            while (!s.isClosed) {
                val c = runCatching { s.accept() }.getOrNull() ?: break
                Thread { runCatching { c.use(serve) } }.apply { isDaemon = true }.start()
            }
        }.apply { isDaemon = true }.start()
        return s.localPort
    }

    private fun banner(text: String) = server { c -> c.getOutputStream().write(text.toByteArray()); Thread.sleep(500) }
    private fun silent() = server { Thread.sleep(20_000) }
    private fun closedPort(): Int = ServerSocket(0, 1, loopback).use { it.localPort }

    private fun run(ports: List<Int>, config: EngineConfig = EngineConfig(progressIntervalMillis = 0), more: dev.kmap.dsl.ScanBuilder.() -> Unit = {}): List<ScanEvent> =
        runBlocking {
            scanFlow(scan { targets("127.0.0.1"); ports(ports.joinToString(",")); connect(); skipDiscovery(); dns(DnsResolution.NEVER); serviceDetection(); more() }, config).toList()
        }

    @Test
    fun `ports stream as PortUpdated before their host, closed ports are left alone, a second run agrees`() {
        val ssh = banner("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        val ftp = banner("220 (vsFTPd 3.0.3)\r\n")
        val closed = closedPort()
        val first = run(listOf(ssh, ftp, closed))
        val updates = first.withIndex().filter { it.value is ScanEvent.PortUpdated }
        assertEquals(setOf(ssh, ftp), updates.map { (it.value as ScanEvent.PortUpdated).result.port }.toSet())
        val finished = first.indexOfFirst { it is ScanEvent.HostFinished }
        assertTrue(updates.all { it.index < finished })
        val host = first.filterIsInstance<ScanEvent.HostFinished>().single().result
        val byPort = host.ports.associateBy { it.port }
        assertEquals("OpenSSH" to "9.2p1", byPort[ssh]!!.serviceInfo!!.product to byPort[ssh]!!.serviceInfo!!.version)
        assertEquals("vsftpd" to "3.0.3", byPort[ftp]!!.serviceInfo!!.product to byPort[ftp]!!.serviceInfo!!.version)
        assertEquals(PortState.CLOSED, byPort[closed]!!.state)
        assertEquals(null, byPort[closed]!!.serviceInfo)
        // the exchanges count among the scan's probes: 3 connect probes and at least one exchange per open port
        val stats = (first.last() as ScanEvent.Finished).stats
        assertTrue(stats.probesSent >= 5, "probesSent ${stats.probesSent}")
        // the stage object is shared by scans: nothing of the first run leaks into the second
        val second = run(listOf(ssh, ftp, closed)).filterIsInstance<ScanEvent.HostFinished>().single().result
        assertEquals(host.ports.map { it.copy(rttMicros = null, serviceInfo = it.serviceInfo?.copy(waitedMillis = null)) },
            second.ports.map { it.copy(rttMicros = null, serviceInfo = it.serviceInfo?.copy(waitedMillis = null)) })
    }

    @Test
    fun `a host with no open port costs no service probe`() {
        val events = run(listOf(closedPort(), closedPort()))
        assertEquals(0, events.count { it is ScanEvent.PortUpdated })
        assertEquals(2L, (events.last() as ScanEvent.Finished).stats.probesSent)
    }

    @Test
    fun `--host-timeout cuts service detection short and the scan ends`() {
        val ports = listOf(silent(), silent(), banner("SSH-2.0-OpenSSH_9.2p1\r\n"))
        val t0 = System.nanoTime()
        val events = run(ports) { timing(T3) { hostTimeout = kotlin.time.Duration.parse("1500ms") } }
        val millis = (System.nanoTime() - t0) / 1_000_000
        val host = events.filterIsInstance<ScanEvent.HostFinished>().single().result
        assertTrue(host.timedOut, "the host was cut short")
        assertTrue(millis < 6_000, "took $millis ms (the silent ports alone would take longer)")
        assertTrue(events.last() is ScanEvent.Finished)
    }

    @Test
    fun `a stop in the middle ends the stage with partial results`() {
        val control = ScanControl()
        val ports = List(4) { silent() }
        Thread { Thread.sleep(700); control.stop() }.apply { isDaemon = true }.start()
        val t0 = System.nanoTime()
        val events = run(ports, EngineConfig(progressIntervalMillis = 0, control = control))
        val millis = (System.nanoTime() - t0) / 1_000_000
        assertTrue(millis < 5_000, "took $millis ms after a stop at 700 ms")
        val finished = events.last() as ScanEvent.Finished
        assertTrue(finished.stats.interrupted)
        assertEquals(4, events.filterIsInstance<ScanEvent.HostFinished>().single().result.ports.count { it.state == PortState.OPEN })
    }

    @Test
    fun `--max-rate paces the exchanges`() {
        val ports = List(6) { banner("220 (vsFTPd 3.0.3)\r\n") }
        val t0 = System.nanoTime()
        val events = run(ports) { timing(T4) { maxRate = 4.0 } }
        val millis = (System.nanoTime() - t0) / 1_000_000
        val host = events.filterIsInstance<ScanEvent.HostFinished>().single().result
        assertEquals(6, host.ports.count { it.serviceInfo?.product == "vsftpd" })
        // 6 connect probes and at least 6 exchanges at 4 a second (a burst of 4 each): well over a second
        assertTrue(millis > 1_500, "12+ sends at 4/s took only $millis ms")
    }

    @Test
    fun `an unreadable database fails before the first event`() {
        val e = kotlin.test.assertFailsWith<dev.kmap.dsl.InvalidSpecException> {
            runBlocking {
                scanFlow(scan { targets("127.0.0.1"); ports("1"); connect(); skipDiscovery(); services { database("/nonexistent/probes") } }, EngineConfig(progressIntervalMillis = 0))
                    .collect { error("no event expected, got $it") }
            }
        }
        assertTrue("/nonexistent/probes" in e.message!!, e.message)
    }
}
