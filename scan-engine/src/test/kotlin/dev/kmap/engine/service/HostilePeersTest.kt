package dev.kmap.engine.service

import dev.kmap.dsl.Protocol
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.scanFlow
import dev.kmap.engine.service.internal.ReplyMatcher
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import kotlin.random.Random
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Service detection never crashes or hangs on what a peer sends: slow drips, endless lines, huge
 * lengths, silence, instant closes, random bytes, replies built to make a pattern backtrack; and a
 * tarpit (every port accepts, none answers) is recognised instead of waited on port by port.
 * Loopback only.
 */
class HostilePeersTest {
    private val servers = ArrayList<ServerSocket>()
    private val loopback = InetAddress.getByName("127.0.0.1")

    @AfterTest
    fun close() { servers.forEach { runCatching { it.close() } } }

    /** A listener on a free loopback port running [serve] for each connection, on daemon threads. */
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

    private fun until(deadlineMillis: Long, body: () -> Boolean) {
        val end = System.currentTimeMillis() + deadlineMillis
        while (System.currentTimeMillis() < end && body()) Unit
    }

    private fun detect(ports: List<Int>, block: dev.kmap.dsl.ServicesBuilder.() -> Unit = {}): Pair<List<ScanEvent>, Long> = runBlocking {
        val plan = scan {
            targets("127.0.0.1"); ports(ports.joinToString(",")); connect(); skipDiscovery(); timing(T4)
            services(block)
        }
        val t0 = System.nanoTime()
        val events = scanFlow(plan, EngineConfig(progressIntervalMillis = 0)).toList()
        events to (System.nanoTime() - t0) / 1_000_000
    }

    @Test
    fun `hostile replies end in bounded time with a result for every port`() {
        val drip = server { c -> val o = c.getOutputStream(); until(20_000) { o.write('x'.code); o.flush(); Thread.sleep(20); true } }
        val lines = server { c -> val o = c.getOutputStream(); val line = ("A".repeat(1000) + "\n").toByteArray(); until(20_000) { o.write(line); true } }
        val huge = server { c -> val o = c.getOutputStream(); o.write(byteArrayOf(0x7f, -1, -1, -1)); val junk = ByteArray(65536) { 0x41 }; until(20_000) { o.write(junk); true } }
        val closer = server { }
        val backtrack = server { c -> c.getOutputStream().write(("a".repeat(5000) + "!").toByteArray()); Thread.sleep(3000) }
        val (events, millis) = detect(listOf(drip, lines, huge, closer, backtrack)) {
            // a pattern that backtracks exponentially on "aaaa...!"
            probe("catastrophic") { tcp(backtrack); match("^(a+)+$") { product = "never" } }
        }
        val host = events.filterIsInstance<ScanEvent.HostFinished>().single().result
        val byPort = host.ports.associateBy { it.port }
        for (p in listOf(drip, lines, huge, closer, backtrack)) assertTrue(byPort[p]?.serviceInfo != null, "port $p has no service result: ${byPort[p]}")
        assertEquals("tcpwrapped", byPort[closer]!!.serviceInfo!!.name)
        assertEquals(null, byPort[backtrack]!!.serviceInfo!!.product)
        assertTrue(byPort[drip]!!.serviceInfo!!.fingerprint.orEmpty().contains("xxx"), "drip: ${byPort[drip]!!.serviceInfo}")
        assertTrue(millis < 20_000, "took $millis ms")
        assertTrue(events.last() is ScanEvent.Finished)
    }

    @Test
    fun `a tarpit is recognised and not waited on port by port`() {
        val ports = (1..16).map { server { c -> Thread.sleep(15_000); c.close() } }
        val (events, millis) = detect(ports)
        val host = events.filterIsInstance<ScanEvent.HostFinished>().single().result
        val tarpitted = host.ports.count { it.serviceInfo?.tarpit == true }
        assertTrue(tarpitted >= 10, "only $tarpitted of 16 ports marked as tarpit: ${host.ports.map { it.serviceInfo }}")
        assertTrue(events.any { it is ScanEvent.Warning && "tarpit" in it.message }, "no tarpit warning")
        // each silent port would cost the banner wait and a probe wait; 16 of them in sequence would be far longer
        assertTrue(millis < 8_000, "took $millis ms")
    }

    @Test
    fun `random and adversarial replies never make the matcher throw`() {
        val dbs = listOfNotNull(ServiceDatabase.builtIn(), runCatching { ServiceDatabase.read("nmap") }.getOrNull())
        val random = Random(42)
        val seeds = listOf("HTTP/1.1 200 OK\r\nServer: ", "SSH-2.0-", "220 ", "\u0016\u0003\u0003", "R\u0000\u0000\u0000", "* OK ", "+OK ", "RFB 003.")
        repeat(300) { i ->
            val body = when (i % 4) {
                0 -> String(CharArray(random.nextInt(0, 4096)) { random.nextInt(0, 256).toChar() })
                1 -> seeds.random(random) + "a".repeat(random.nextInt(0, 20_000))
                2 -> seeds.random(random) + String(CharArray(random.nextInt(0, 512)) { "\r\n \u0000a1.-/".random(random) })
                else -> "\n".repeat(random.nextInt(0, 100_000))
            }
            // nmap's 12k rules on every body would take minutes: every 25th body goes through them
            for (db in if (i % 25 == 0) dbs else dbs.take(1)) for (p in db.compiled) {
                val t0 = System.nanoTime()
                ReplyMatcher.match(p, body)
                val ms = (System.nanoTime() - t0) / 1_000_000
                assertTrue(ms < 5_000, "probe ${p.probe.name} took $ms ms on a ${body.length}-byte reply")
            }
        }
        assertEquals(null, db().match("NULL", Protocol.TCP, ByteArray(0)))
    }

    private fun db() = ServiceDatabase.builtIn()
}
