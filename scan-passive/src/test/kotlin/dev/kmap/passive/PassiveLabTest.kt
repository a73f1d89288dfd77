package dev.kmap.passive

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.passive
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScriptElement
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.LabService
import dev.kmap.lab.RequiresLab
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/** The passive lab: one host with nginx, sshd and NSD; prefix kf, 10.247.0.0/24, fd10:247::/64. */
object PassiveLab : LabConfigProvider {
    override fun config() = LabConfig(
        prefix = "kf", hosts = 1, net4 = "10.247.0", net6 = "fd10:247::", anyIpPrefix = null,
        services = mapOf(1 to setOf(LabService.NGINX, LabService.SSH, LabService.DNS)),
    )
}

/**
 * Real traffic, captured by tcpdump inside the target's namespace while curl talks to nginx over
 * HTTP and HTTPS (SNI, TLS 1.3 and 1.2), dig asks NSD over UDP and TCP and ssh meets sshd, read
 * back as pcap and as pcapng: the exact hosts, services, versions, server names, HTTP hosts and
 * paths and DNS names.
 */
@RequiresLab(config = PassiveLab::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PassiveLabTest {
    private lateinit var pcap: Path
    private lateinit var pcapng: Path
    private lateinit var lab: Lab

    private fun sh(vararg cmd: String, timeoutSeconds: Long = 20, stderr: Boolean = true): String {
        val p = ProcessBuilder(*cmd).redirectErrorStream(stderr).apply { if (!stderr) redirectError(ProcessBuilder.Redirect.DISCARD) }.start()
        val out = p.inputStream.bufferedReader().readText()
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) { p.destroyForcibly(); fail("timed out: ${cmd.joinToString(" ")}") }
        return out
    }

    @BeforeAll
    fun capture(lab: Lab) {
        this.lab = lab
        val h = lab.host(1)
        val route = sh("ip", "-o", "route", "get", h.ipv4)
        if ("dev ${lab.bridge}" !in route) fail("${h.ipv4} does not route through ${lab.bridge}: $route")
        val dir = Files.createTempDirectory("kmap-passive")
        pcap = dir.resolve("lab.pcap")
        pcapng = dir.resolve("lab.pcapng")
        val td = ProcessBuilder("ip", "netns", "exec", h.name, "tcpdump", "-i", "eth0", "-U", "-s", "0", "-w", pcap.toString(), "ip or arp")
            .redirectErrorStream(true).start()
        try {
            Thread.sleep(1500) // tcpdump is listening
            val ip = h.ipv4
            sh("curl", "-s", "-o", "/dev/null", "--max-time", "5", "http://$ip/")
            sh("curl", "-s", "-o", "/dev/null", "--max-time", "5", "-H", "Host: www.kmap.lab", "-A", "kmap-lab-test/1", "http://$ip/robots.txt")
            sh("curl", "-sk", "-o", "/dev/null", "--max-time", "5", "--resolve", "www.kmap.lab:443:$ip", "https://www.kmap.lab/")
            sh("curl", "-sk", "-o", "/dev/null", "--max-time", "5", "--http1.1", "--tls-max", "1.2", "--resolve", "kmap.lab:443:$ip", "https://kmap.lab/index.html")
            sh("dig", "+time=2", "+tries=1", "@$ip", "www.kmap.lab", "A")
            sh("dig", "+tcp", "+time=2", "+tries=1", "@$ip", "mail.kmap.lab", "A")
            sh("timeout", "8", "ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", ip, "true")
            Thread.sleep(1000)
        } finally {
            td.destroy()
            td.waitFor(5, TimeUnit.SECONDS)
        }
        sh("editcap", "-F", "pcapng", pcap.toString(), pcapng.toString())
    }

    private fun report(file: Path): List<HostResult> = runBlocking { passive(passive { read(file.toString()) }) }.report.hosts

    private fun details(h: HostResult, port: Int, protocol: Protocol = Protocol.TCP): Map<String, List<String>> {
        val p = h.ports.single { it.port == port && it.protocol == protocol }
        val table = p.scripts.single { it.id == PassiveResults.SCRIPT_ID }.elements!!
        return table.children.associate { e ->
            when (e) { is ScriptElement.Elem -> e.key!! to listOf(e.value); is ScriptElement.Table -> e.key!! to e.children.map { (it as ScriptElement.Elem).value } }
        }
    }

    @Test
    fun `hosts, services, versions, names from real traffic in pcap and pcapng`() {
        val facts = lab.facts(1)
        val h = lab.host(1)
        for (file in listOf(pcap, pcapng)) {
            val hosts = report(file)
            assertEquals(listOf(lab.scannerIpv4, h.ipv4), hosts.map { it.host.address.toString() }, "$file: the exact hosts")
            val server = hosts.single { it.host.address == IpAddress.parse(h.ipv4) }
            assertEquals(h.mac, server.mac)
            assertEquals(lab.bridgeMac, hosts.first().mac)
            assertEquals(
                listOf("22/TCP open ssh", "53/TCP open domain", "80/TCP open http", "443/TCP open ssl/http", "53/UDP open domain"),
                server.ports.map { "${it.port}/${it.protocol} ${it.state.label} ${it.service}" },
            )
            val ssh = details(server, 22)
            assertEquals(listOf("OpenSSH"), ssh["product"]); assertEquals(listOf(facts.ssh.version), ssh["version"])
            assertEquals(listOf(facts.ssh.banner), ssh["ssh.banner"])
            val http = details(server, 80)
            assertEquals(listOf("nginx"), http["product"]); assertEquals(listOf(facts.http.version), http["version"])
            assertEquals(listOf(h.ipv4, "www.kmap.lab"), http["http.host"])
            assertEquals(listOf("GET /", "GET /robots.txt"), http["http.path"])
            assertTrue("kmap-lab-test/1" in http.getValue("http.userAgent"))
            val tls = details(server, 443)
            assertEquals(listOf("www.kmap.lab", "kmap.lab"), tls["tls.serverName"])
            assertEquals(listOf("TLSv1.3", "TLSv1.2"), tls["tls.version"])
            assertEquals(listOf(facts.tls.sha256.lowercase().replace(":", "")), tls["tls.sha256"], "the certificate, visible in TLS 1.2")
            assertEquals(2, tls.getValue("tls.ja4").size)
            assertEquals(listOf("www.kmap.lab"), details(server, 53, Protocol.UDP)["dns.name"])
            assertEquals(listOf("mail.kmap.lab"), details(server, 53)["dns.name"])
            assertEquals(listOf("www.kmap.lab", "mail.kmap.lab"), server.hostnames)
            assertTrue(server.os.isNotEmpty() && server.os.first().name.startsWith("Linux"), "${server.os}")
            assertTrue(hosts.first().os.first().name.startsWith("Linux"), "${hosts.first().os}")
        }
    }

    @Test
    fun `the event flow reports every flow with its messages, and tshark sees the same server names`() {
        val events = runBlocking { passiveFlow(passive { read(pcapng.toString()) }).toList() }
        val started = events.filterIsInstance<PassiveEvent.Started>()
        val ended = events.filterIsInstance<PassiveEvent.Ended>()
        assertEquals(started.map { it.flowId }.sorted(), ended.map { it.flowId }.sorted(), "every flow that starts ends")
        val sni = events.filterIsInstance<PassiveEvent.Message>().mapNotNull { (it.message as? PassiveMessage.TlsClientHello)?.serverName }
        val tshark = sh("tshark", "-r", pcapng.toString(), "-Y", "tls.handshake.type == 1", "-T", "fields", "-e", "tls.handshake.extensions_server_name", stderr = false)
            .lines().filter { it.isNotBlank() }
        assertEquals(tshark, sni)
        assertTrue(events.last() is PassiveEvent.Finished)
    }
}
