@file:OptIn(InternalKmapApi::class)

package dev.kmap.engine.internal

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import dev.kmap.packet.internal.LibC
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assumptions.assumeTrue
import java.io.File
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.nio.channels.SocketChannel
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The connect session's verdicts: by error kind in any locale, and never "open" for a connection to itself. */
class ConnectSessionTest {
    private val loopback = InetAddress.getByName("127.0.0.1")

    private fun freePort(): Int = ServerSocket(0, 1, loopback).use { it.localPort }

    /** Sends one probe through [session] and polls until it is decided (bounded). */
    private fun decide(session: ProbeSession, probe: Probe): Verdict? {
        probe.sentAtNanos = System.nanoTime()
        assertEquals(SendResult.SENT, session.send(probe))
        var verdict: Verdict? = null
        val deadline = System.nanoTime() + 5_000_000_000L
        while (verdict == null && System.nanoTime() < deadline) session.poll(10_000_000) { _, v -> verdict = v }
        return verdict
    }

    /** The sessions under test: NIO, native, and native with every probe waiting in epoll. */
    private val kinds = listOf("nio", "native", "native-epoll")

    private fun session(kind: String): ProbeSession = when (kind) {
        "nio" -> ConnectSession(16)
        "native" -> NativeConnectSession(16)
        else -> NativeConnectSession(16, settleAtOnce = false)
    }

    @Test
    fun `a connection to itself is closed, not open`() {
        for (kind in kinds) {
            val port = freePort()
            // the seam binds the probe's socket to the very port it connects to: TCP simultaneous open with itself
            val session = if (kind == "nio") {
                ConnectSession(16, openChannel = { SocketChannel.open().apply { bind(InetSocketAddress(loopback, port)) } })
            } else {
                NativeConnectSession(16, openSocket = { p -> NativeConnectSession.defaultSocket(p).also { fd -> bindLoopback(fd, port) } }, settleAtOnce = kind == "native")
            }
            session.use {
                val verdict = decide(it, Probe(loopback, port, 0, 0, 0))
                assertEquals(Verdict(PortState.CLOSED, "conn-refused", true), verdict, "$kind: verdict $verdict")
            }
        }
    }

    /** Binds [fd] to 127.0.0.1:[port] (the native session's seam). */
    private fun bindLoopback(fd: Int, port: Int) {
        val addr = com.sun.jna.Memory(16).apply {
            clear()
            setShort(0, LibC.AF_INET.toShort())
            setByte(2, (port ushr 8).toByte())
            setByte(3, port.toByte())
            write(4, loopback.address, 0, 4)
        }
        assertEquals(0, LibC.bind(fd, addr, 16), "bind errno ${com.sun.jna.Native.getLastError()}")
    }

    @Test
    fun `open and refused on loopback, IPv4 and IPv6`() {
        for (address in listOf(loopback, InetAddress.getByName("::1"))) {
            val server = runCatching { ServerSocket(0, 50, address) }.getOrNull() ?: continue // no IPv6 here
            server.use {
                for (kind in kinds) {
                    session(kind).use { s ->
                        assertEquals(Verdict(PortState.OPEN, "syn-ack", true), decide(s, Probe(address, server.localPort, 0, 0, 0)), "$kind $address")
                        val closed = ServerSocket(0, 1, address).use { it.localPort }
                        assertEquals(Verdict(PortState.CLOSED, "conn-refused", true), decide(s, Probe(address, closed, 0, 0, 1)), "$kind $address")
                    }
                }
            }
        }
    }

    @Test
    fun `a poll that does not wait hands over every connection that finished, however many`() {
        // the probe loop takes what is waiting before it calls a probe lost (ProbeLoop.expire): one
        // look must return them all, not one epoll batch of them (the rest were called lost and resent)
        ServerSocket(0, 1000, loopback).use { server ->
            for (kind in kinds) {
                val count = 700
                val session = when (kind) {
                    "nio" -> ConnectSession(count)
                    else -> NativeConnectSession(count, settleAtOnce = false)
                }
                session.use { s ->
                    val probes = List(count) { Probe(loopback, server.localPort, 0, 0, it).also { p -> p.sentAtNanos = System.nanoTime() } }
                    probes.forEach { assertEquals(SendResult.SENT, s.send(it)) }
                    Thread.sleep(300) // loopback connects complete in microseconds; the backlog holds them all
                    val answered = HashSet<Int>()
                    s.poll(0) { p, v -> answered += p.portIndex; assertEquals(PortState.OPEN, v.state) }
                    assertEquals(count, answered.size, "$kind: one poll(0) after every connect finished")
                }
                // the listener's backlog is full of accepted-by-kernel connections (each reset): drain it
                server.soTimeout = 1
                runCatching { while (true) server.accept().close() }
            }
        }
    }

    @Test
    fun `the native session holds no descriptor for an abandoned probe, nor after close`() {
        assertEquals(null, NativeConnectSession.unavailableReason) // loaded before counting: JNA's loading opens files
        ServerSocket(0, 50, loopback).use { server ->
            val before = openDescriptors()
            val s = NativeConnectSession(16, settleAtOnce = false)
            val probes = List(10) { Probe(loopback, server.localPort, 0, 0, it).also { p -> p.sentAtNanos = System.nanoTime() } }
            probes.forEach { assertEquals(SendResult.SENT, s.send(it)) }
            assertEquals(before + 11, openDescriptors(), "one socket per probe, one epoll set")
            probes.take(5).forEach { s.abandon(it) }
            s.abandon(probes[0]) // twice: no harm
            assertEquals(before + 6, openDescriptors())
            val answered = ArrayList<Int>()
            val deadline = System.nanoTime() + 5_000_000_000L
            while (answered.size < 5 && System.nanoTime() < deadline) s.poll(10_000_000) { p, v -> answered += p.portIndex; assertEquals(PortState.OPEN, v.state) }
            assertEquals((5..9).toList(), answered.sorted(), "only the probes still in flight are answered")
            assertEquals(SendResult.SENT, s.send(Probe(loopback, server.localPort, 1, 0, 0))) // in flight at close
            s.close()
            assertEquals(before, openDescriptors())
        }
    }

    @Test
    fun `a socket refused at once serves the next probes of its family, with the same verdicts`() {
        assertEquals(null, NativeConnectSession.unavailableReason) // loaded before counting: JNA's loading opens files
        for (address in listOf(loopback, InetAddress.getByName("::1"))) {
            val server = runCatching { ServerSocket(0, 50, address) }.getOrNull() ?: continue // no IPv6 here
            server.use {
                val closed = ServerSocket(0, 1, address).use { it.localPort }
                val before = openDescriptors()
                NativeConnectSession(16).use { s ->
                    // refused, open and refused again in turns: a kept socket connects anew, and an open
                    // port after a refused one on the same socket is still open
                    repeat(60) { i ->
                        val open = i % 6 == 4
                        val verdict = decide(s, Probe(address, if (open) server.localPort else closed, 0, 0, i))
                        val expected = if (open) Verdict(PortState.OPEN, "syn-ack", true) else ConnectVerdicts.REFUSED
                        assertEquals(expected, verdict, "$address probe $i")
                    }
                    // the epoll set and one kept socket (the last probe was refused; without keeping, none)
                    assertEquals(before + 2, openDescriptors(), "$address: descriptors held")
                }
                assertEquals(before, openDescriptors(), "$address: descriptors after close")
            }
        }
    }

    @Test
    fun `a socket that cannot open is back-pressure when short, an error otherwise`() {
        val emfile = NativeConnectSession(16, openSocket = { -24 })
        emfile.use { assertEquals(SendResult.BUSY, it.send(Probe(loopback, 1, 0, 0, 0))) }
        val noFamily = NativeConnectSession(16, openSocket = { -97 }) // EAFNOSUPPORT
        noFamily.use { assertEquals(ConnectVerdicts.ERROR, decide(it, Probe(loopback, 1, 0, 0, 0))) }
    }

    private fun openDescriptors(): Int = File("/proc/self/fd").list()!!.size

    @Test
    fun `no phantom open ports when connect scans hit the ephemeral range of loopback`() = runBlocking {
        val range = File("/proc/sys/net/ipv4/ip_local_port_range").readText().trim().split(Regex("\\s+")).map { it.toInt() }
        repeat(3) { run -> // bounded: three scans of ~28k loopback ports
            // the machine is shared: a port some other process listens on (even briefly, during the scan) is rightly open
            val listened = java.util.concurrent.ConcurrentHashMap.newKeySet<Int>()
            val sampling = java.util.concurrent.atomic.AtomicBoolean(true)
            val sampler = Thread {
                while (sampling.get()) { listened += listeningPorts(); Thread.sleep(5) }
            }.apply { isDaemon = true; start() }
            val report = try {
                dev.kmap.engine.scan(
                    scan { targets("127.0.0.1"); ports("${range[0]}-${range[1]}"); connect(); skipDiscovery(); timing(T4); dns(DnsResolution.NEVER) },
                    EngineConfig(progressIntervalMillis = 0),
                )
            } finally {
                sampling.set(false)
                sampler.join()
            }
            listened += listeningPorts()
            val open = report.hosts.single().ports.filter { it.state == PortState.OPEN }.map { it.port }
            val phantoms = open - listened
            assertEquals(emptyList(), phantoms, "run ${run + 1}: ports reported open with no listener")
        }
    }

    /** TCP ports in LISTEN state on this machine (/proc/net/tcp and tcp6, state 0A). */
    private fun listeningPorts(): Set<Int> = listOf("/proc/net/tcp", "/proc/net/tcp6").flatMap { f ->
        File(f).readLines().drop(1).mapNotNull { line ->
            val fields = line.trim().split(Regex("\\s+"))
            if (fields.size > 3 && fields[3] == "0A") fields[1].substringAfter(':').toInt(16) else null
        }
    }.toSet()

    @Test
    fun `closed ports are closed under a German locale too`() {
        val locale = germanLocale()
        assumeTrue(locale != null, "no German locale and cannot make one (needs root, the locales and libc-l10n packages)")
        val java = File(System.getProperty("java.home"), "bin/java").path
        ServerSocket(0, 50, loopback).use { server ->
            val closed = freePort()
            val pb = ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.kmap.engine.internal.LocaleScanMainKt", "${server.localPort}", "$closed")
                .redirectErrorStream(true)
            pb.environment().apply { put("LC_ALL", locale!!); put("LANG", locale) }
            val p = pb.start()
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child scan finished")
            val out = p.inputStream.bufferedReader().readText()
            assertEquals(0, p.exitValue(), out)
            val message = out.lines().single { it.startsWith("message=") }.removePrefix("message=")
            assumeTrue(message != "Connection refused", "the JDK's messages are not translated here (libc-l10n missing?): $message")
            val expected = sortedMapOf(server.localPort to "open/syn-ack", closed to "closed/conn-refused").entries.joinToString(" ") { "${it.key}=${it.value}" }
            assertEquals(expected, out.lines().single { it.startsWith("ports=") }.removePrefix("ports="), out)
        }
    }

    /** A de_DE UTF-8 locale name `setlocale` accepts, generating it with localedef when missing (root). */
    private fun germanLocale(): String? {
        fun have() = runCatching {
            ProcessBuilder("locale", "-a").start().inputStream.bufferedReader().readLines().firstOrNull { it.equals("de_DE.utf8", true) || it.equals("de_DE.UTF-8", true) }
        }.getOrNull()
        have()?.let { return it }
        if (!File("/usr/share/i18n/locales/de_DE").exists()) return null
        runCatching {
            ProcessBuilder("localedef", "-i", "de_DE", "-f", "UTF-8", "de_DE.UTF-8").redirectErrorStream(true).start().waitFor(60, TimeUnit.SECONDS)
        }
        return have()
    }
}
