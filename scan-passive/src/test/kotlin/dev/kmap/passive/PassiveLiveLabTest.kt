package dev.kmap.passive

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.passive
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScriptElement
import dev.kmap.lab.Lab
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Live capture (libpcap on the lab's bridge, in the root namespace) while curl, dig and ssh talk
 * to the lab host: the BPF filter keeps only HTTP and DNS, a stop request (what Ctrl-C does)
 * ends the capture and keeps everything seen; a duration ends an idle capture by itself.
 */
@RequiresLab(config = PassiveLab::class)
class PassiveLiveLabTest {
    private fun sh(vararg cmd: String) {
        val p = ProcessBuilder(*cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        if (!p.waitFor(20, TimeUnit.SECONDS)) { p.destroyForcibly(); fail("timed out: ${cmd.joinToString(" ")}") }
    }

    private fun guard(lab: Lab, ip: String) {
        val route = ProcessBuilder("ip", "-o", "route", "get", ip).start().inputStream.bufferedReader().readText()
        if ("dev ${lab.bridge}" !in route) fail("$ip does not route through ${lab.bridge}: $route")
    }

    private fun details(h: HostResult, port: Int, protocol: Protocol): Map<String, List<String>> {
        val table = h.ports.single { it.port == port && it.protocol == protocol }.scripts.single { it.id == PassiveResults.SCRIPT_ID }.elements!!
        return table.children.associate { e ->
            when (e) { is ScriptElement.Elem -> e.key!! to listOf(e.value); is ScriptElement.Table -> e.key!! to e.children.map { (it as ScriptElement.Elem).value } }
        }
    }

    @Test
    fun `live capture with a filter, stopped like Ctrl-C, keeps exactly what the filter let through`(lab: Lab) {
        val h = lab.host(1)
        val ip = h.ipv4
        guard(lab, ip)
        val plan = passive { listen(lab.bridge, filter = "tcp port 80 or udp port 53") }
        val open = CountDownLatch(1)
        val stop = AtomicBoolean(false)
        val run = CompletableFuture.supplyAsync { runBlocking { passive(plan, stop = { open.countDown(); stop.get() }) } }
        try {
            assertTrue(open.await(20, TimeUnit.SECONDS), "the capture did not start")
            Thread.sleep(300)
            guard(lab, ip)
            sh("curl", "-s", "-o", "/dev/null", "--max-time", "5", "-H", "Host: live.kmap.lab", "http://$ip/live")
            sh("curl", "-sk", "-o", "/dev/null", "--max-time", "5", "--resolve", "www.kmap.lab:443:$ip", "https://www.kmap.lab/")
            sh("dig", "+time=2", "+tries=1", "@$ip", "www.kmap.lab", "A")
            sh("dig", "+tcp", "+time=2", "+tries=1", "@$ip", "mail.kmap.lab", "A")
            sh("timeout", "8", "ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", ip, "true")
            Thread.sleep(500)
        } finally {
            stop.set(true)
        }
        val result = run.get(20, TimeUnit.SECONDS)
        assertTrue(result.stats.interrupted, "a stopped capture says so")
        assertTrue(result.report.stats.interrupted)
        assertEquals(0, result.stats.kernelDropped)
        val hosts = result.report.hosts
        assertEquals(listOf(lab.scannerIpv4, ip), hosts.map { it.host.address.toString() }, "the exact hosts")
        assertEquals(lab.bridgeMac, hosts[0].mac)
        val server = hosts.single { it.host.address == IpAddress.parse(ip) }
        assertEquals(h.mac, server.mac)
        assertEquals(listOf("80/TCP open http", "53/UDP open domain"), server.ports.map { "${it.port}/${it.protocol} ${it.state.label} ${it.service}" },
            "HTTPS, DNS over TCP and SSH are outside the filter")
        val http = details(server, 80, Protocol.TCP)
        assertEquals(listOf("live.kmap.lab"), http["http.host"])
        assertEquals(listOf("GET /live"), http["http.path"])
        assertEquals(listOf("nginx"), http["product"])
        assertEquals(listOf("www.kmap.lab"), details(server, 53, Protocol.UDP)["dns.name"])
        assertEquals(listOf("www.kmap.lab"), server.hostnames)
    }

    @Test
    fun `a duration ends an idle live capture by itself`(lab: Lab) {
        val plan = passive { listen(lab.bridge, filter = "tcp port 9"); duration(1500) }
        val t0 = System.nanoTime()
        val result = runBlocking { passive(plan) }
        val seconds = (System.nanoTime() - t0) / 1e9
        assertTrue(seconds in 1.4..10.0, "took $seconds s")
        assertFalse(result.stats.interrupted)
        assertEquals(emptyList(), result.report.hosts)
    }

    @Test
    fun `an interface that does not exist is one line`() {
        val e = runCatching { runBlocking { passive(passive { listen("kf-nosuch0") }) } }.exceptionOrNull()
        assertTrue(e is dev.kmap.packet.PacketIoException, "$e")
        assertTrue(e.message!!.startsWith("cannot capture on kf-nosuch0: "), e.message)
        assertEquals(1, e.message!!.lines().size)
    }
}
