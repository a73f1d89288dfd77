package dev.kmap.script

import dev.kmap.dsl.Protocol
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.HostResult
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import dev.kmap.engine.scan
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.LabService
import dev.kmap.lab.RequiresLab
import dev.kmap.lab.ServiceFacts
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.TestInstance
import java.io.File
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The built-in script library against the lab's real daemons (every service on one host): each
 * script runs through the real host in one scan (TCP connect + UDP) and is checked exactly
 * against the facts the fixture recorded when it started the daemons.
 */
@RequiresLab(config = ScriptLibraryLabTest.ServicesLab::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScriptLibraryLabTest {
    class ServicesLab : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmk", hosts = 2, net4 = "10.223.0", net6 = "fd10:223::", anyIpPrefix = null,
            ports = HostPorts(tcp = emptySet(), udp = emptySet(), filteredTcp = emptySet(), filteredUdp = emptySet()),
            // host 2: the lab's python listeners on the same ports (a one-line banner, UDP echo): the wrong protocol everywhere
            hostPorts = mapOf(2 to HostPorts(tcp = TCP_PORTS, udp = UDP_PORTS, filteredTcp = emptySet(), filteredUdp = emptySet())),
            services = mapOf(1 to LabService.entries.toSet()),
        )
    }

    companion object {
        val TCP_PORTS = setOf(21, 22, 25, 53, 80, 443, 3306, 5432, 5900, 6379, 11211)
        val UDP_PORTS = setOf(53, 123, 161)
        val PORTS = "T:" + TCP_PORTS.joinToString(",") + ",U:" + UDP_PORTS.joinToString(",")
    }

    private val cache: File = Files.createTempDirectory("kmap-script-library").toFile().also { it.deleteOnExit() }
    private val host by lazy { ScriptHost(cacheDir = cache) }
    private var all: HostResult? = null

    private fun runScan(target: String, ports: String, vararg selectors: String, args: Map<String, String> = emptyMap()): HostResult = runBlocking {
        val plan = scan {
            targets(target)
            ports(ports)
            connect(); udp()
            skipDiscovery()
            selectors.forEach { s -> script(s) { args.forEach { (k, v) -> arg(k, v) } } }
        }
        val started = System.nanoTime()
        scan(plan, EngineConfig(progressIntervalMillis = 0).withStages(ScriptStage(host.runnerFor(plan)!!))).hosts.single()
            .also { println("scan of ${selectors.joinToString(",")} on $ports: ${(System.nanoTime() - started) / 1_000_000} ms") }
    }

    private val scripts = listOf(
        "http-methods", "http-robots", "ssl-cert", "ssl-enum-ciphers", "tls-alpn", "ssh-hostkey", "ssh-auth-methods", "ftp-anon",
        "smtp-commands", "redis-info", "mysql-info", "pgsql-info", "memcached-info", "dns-nsid", "dns-recursion", "ntp-info",
        "snmp-sysdescr", "vnc-info",
    )

    /** One scan of every service with every new script (pgsql-info with the lab's credentials). */
    private fun all(lab: Lab): HostResult = all ?: runScan(
        lab.host(1).ipv4, PORTS, *scripts.toTypedArray(),
        args = mapOf("pgsql-info.password" to lab.facts(1).postgresql.password),
    ).also { all = it }

    private fun output(result: HostResult, port: Int, id: String, protocol: Protocol = Protocol.TCP): ScriptOutput {
        val p = result.ports.single { it.port == port && it.protocol == protocol }
        return p.scripts.singleOrNull { it.id == id } ?: throw AssertionError("no $id output on $port/$protocol: ${p.scripts}")
    }

    private fun elem(key: String?, value: Any) = ScriptElement.Elem(key, value.toString())
    private fun table(key: String?, vararg children: ScriptElement) = ScriptElement.Table(children.toList(), key)
    private fun list(key: String?, values: List<Any>) = ScriptElement.Table(values.map { elem(null, it) }, key)

    /** The value of [key] (a path through nested tables) in [out]'s elements. */
    private fun value(out: ScriptOutput, vararg key: String): String? {
        var t: ScriptElement.Table = out.elements ?: return null
        for (k in key.dropLast(1)) t = t.children.filterIsInstance<ScriptElement.Table>().singleOrNull { it.key == k } ?: return null
        return t.children.filterIsInstance<ScriptElement.Elem>().singleOrNull { it.key == key.last() }?.value
    }

    private fun facts(lab: Lab): ServiceFacts = lab.facts(1)

    @Test
    fun `every new script runs once on its service and no other output is an error`(lab: Lab) {
        val result = all(lab)
        val outputs = result.ports.flatMap { p -> p.scripts.map { "${p.port}/${p.protocol}" to it } }
        assertEquals(emptyList(), outputs.filter { it.second.output.startsWith("ERROR") }.map { "${it.first} ${it.second.id}: ${it.second.output}" })
        val expected = mapOf(
            "http-methods" to setOf("80/TCP", "443/TCP"), "http-robots" to setOf("80/TCP", "443/TCP"), "ssl-cert" to setOf("443/TCP"),
            "ssl-enum-ciphers" to setOf("443/TCP"), "tls-alpn" to setOf("443/TCP"), "ssh-hostkey" to setOf("22/TCP"),
            "ssh-auth-methods" to setOf("22/TCP"), "ftp-anon" to setOf("21/TCP"), "smtp-commands" to setOf("25/TCP"),
            "redis-info" to setOf("6379/TCP"), "mysql-info" to setOf("3306/TCP"), "pgsql-info" to setOf("5432/TCP"),
            "memcached-info" to setOf("11211/TCP"), "dns-nsid" to setOf("53/UDP", "53/TCP"), "dns-recursion" to setOf("53/UDP"),
            "ntp-info" to setOf("123/UDP"), "snmp-sysdescr" to setOf("161/UDP"), "vnc-info" to setOf("5900/TCP"),
        )
        assertEquals(expected, outputs.groupBy({ it.second.id }, { it.first }).mapValues { it.value.toSet() })
    }

    @Test
    fun `on services that speak another protocol every script gives nothing or a one-line ERROR`(lab: Lab) {
        val result = runScan(lab.host(2).ipv4, PORTS, *scripts.toTypedArray(), args = mapOf("pgsql-info.password" to "x"))
        val outputs = result.ports.flatMap { p -> p.scripts.map { "${p.port}/${p.protocol} ${it.id}" to it.output } }
        val bad = outputs.filter { (_, text) -> !text.startsWith("ERROR: ") || '\n' in text || "\tat " in text }
        assertEquals(emptyList(), bad)
        // what the listener's "lab <ip> <port>" line and echoed datagrams make of a few of them
        val byKey = outputs.toMap()
        assertTrue(byKey.getValue("3306/TCP mysql-info").startsWith("ERROR: ProtocolException: not a MySQL handshake: protocol 49"), byKey.toString())
        assertTrue(byKey.getValue("21/TCP ftp-anon").startsWith("ERROR: IllegalStateException: not an FTP reply: lab "), byKey.toString())
        assertTrue(byKey.getValue("123/UDP ntp-info").startsWith("ERROR: NTP reply in mode 3, expected 4 (server)"), byKey.toString())
        assertTrue(byKey.getValue("161/UDP snmp-sysdescr").startsWith("ERROR: not an SNMP response"), byKey.toString())
        assertTrue(byKey.getValue("53/UDP dns-recursion").startsWith("ERROR: IllegalStateException: not a DNS response to the query for scanme.nmap.org"), byKey.toString())
        assertEquals("ERROR: not an RFB server: " + "lab ${lab.host(2).ipv4}".take(12), byKey.getValue("5900/TCP vnc-info"))
        println(outputs.joinToString("\n") { "${it.first}: ${it.second}" })
    }

    @Test
    fun `http-methods and http-robots report nginx's Allow header and robots txt`(lab: Lab) {
        val f = facts(lab).http
        val methods = f.methods.map { it.trim() }
        for (port in listOf(80, 443)) {
            assertEquals(ScriptOutput("http-methods", "\n  Supported Methods: ${methods.joinToString(" ")}", table(null, list("Supported Methods", methods))), output(all(lab), port, "http-methods"))
            assertEquals(
                ScriptOutput("http-robots", "${f.robotsDisallow.size} disallowed entries\n  ${f.robotsDisallow.joinToString(" ")}",
                    table(null, elem("count", f.robotsDisallow.size), list("disallowed", f.robotsDisallow))),
                output(all(lab), port, "http-robots"),
            )
        }
    }

    @Test
    fun `ssl-cert reports the fixture certificate exactly`(lab: Lab) {
        val t = facts(lab).tls
        val out = output(all(lab), 443, "ssl-cert")
        val sans = t.sans.map { it.replace("IP:", "IP Address:") }
        val utc = java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.withZone(java.time.ZoneOffset.UTC)
        assertEquals(t.subject, value(out, "subject"))
        assertEquals(t.issuer, value(out, "issuer"))
        assertEquals(list("subjectAltName", sans), out.elements!!.children.filterIsInstance<ScriptElement.Table>().single { it.key == "extensions" }.children.single())
        assertEquals(t.keyType.lowercase(), value(out, "pubkey", "type"))
        assertEquals(t.keyBits.toString(), value(out, "pubkey", "bits"))
        assertEquals(t.serialHex, value(out, "serial"))
        assertEquals(utc.format(t.notBefore), value(out, "validity", "notBefore"))
        assertEquals(utc.format(t.notAfter), value(out, "validity", "notAfter"))
        assertEquals(t.sha1, value(out, "sha1"))
        assertEquals(t.sha256, value(out, "sha256"))
        assertTrue(out.output.startsWith("\n  Subject: ${t.subject}\n  Subject Alternative Name: ${sans.joinToString(", ")}\n  Issuer: ${t.issuer}\n"), out.output)
        assertTrue(out.output.endsWith("\n  SHA-1: ${t.sha1}\n  SHA-256: ${t.sha256}"), out.output)
    }

    @Test
    fun `ssl-enum-ciphers finds exactly the configured protocols and suites, tls-alpn exactly the ALPN protocols`(lab: Lab) {
        val t = facts(lab).tls
        val out = output(all(lab), 443, "ssl-enum-ciphers")
        val tables = out.elements!!.children.filterIsInstance<ScriptElement.Table>()
        assertEquals(t.protocols, tables.map { it.key })
        fun ciphers(v: String) = (tables.single { it.key == v }.children.single() as ScriptElement.Table).children.map { (it as ScriptElement.Elem).value }
        assertEquals(t.tls12CiphersIana.sorted(), ciphers("TLSv1.2").sorted())
        assertEquals(t.tls13Ciphers.sorted(), ciphers("TLSv1.3").sorted())
        assertEquals(2 + t.tls12CiphersIana.size + 2 + t.tls13Ciphers.size, out.output.lines().size - 1, out.output)
        // tls-alpn offers one protocol per handshake: nginx accepts each of its list alone, not only its preferred h2, http/1.1
        assertTrue(t.alpnAccepted.containsAll(t.alpn))
        assertEquals(ScriptOutput("tls-alpn", t.alpnAccepted.joinToString("") { "\n  $it" }, list(null, t.alpnAccepted)), output(all(lab), 443, "tls-alpn"))
    }

    @Test
    fun `ssh-hostkey reports every host key as ssh-keygen does, ssh-auth-methods the configured methods`(lab: Lab) {
        val s = facts(lab).ssh
        val keys = listOf("rsa", "ecdsa", "ed25519").map { s.hostKeys.getValue(it) }
        val out = output(all(lab), 22, "ssh-hostkey")
        val expectedText = keys.joinToString("") { "\n  ${it.bits} ${it.sha256} (${it.type.uppercase()})" }
        assertEquals(expectedText, out.output)
        assertEquals(
            table(null, *keys.map { k ->
                table(null, elem("type", k.keyType), elem("bits", k.bits), elem("fingerprint", k.sha256), elem("md5", k.md5), elem("key", k.publicKey))
            }.toTypedArray()),
            out.elements,
        )
        assertEquals(
            ScriptOutput("ssh-auth-methods", "\n  Supported authentication methods:" + s.authMethods.joinToString("") { "\n    $it" },
                table(null, elem("user", "root"), list("Supported authentication methods", s.authMethods))),
            output(all(lab), 22, "ssh-auth-methods"),
        )
    }

    @Test
    fun `ftp-anon logs in anonymously and lists the fixture's files`(lab: Lab) {
        val f = facts(lab).ftp
        assertTrue(f.anonymous)
        val root = output(all(lab), 21, "ftp-anon")
        assertEquals(f.files.map { it.substringBefore('/') }.distinct(), (root.elements!!.children.single { it.key == "files" } as ScriptElement.Table).children.map { (it as ScriptElement.Elem).value })
        assertTrue(root.output.startsWith("Anonymous FTP login allowed (FTP code 230)\n  d"), root.output)
        val dir = f.files.first().substringBefore('/')
        val sub = output(runScan(lab.host(1).ipv4, "T:21", "ftp-anon", args = mapOf("ftp-anon.path" to dir)), 21, "ftp-anon")
        assertEquals(table(null, elem("anonymous", true), elem("code", 230), list("files", f.files.filter { it.startsWith("$dir/") }.map { it.substringAfter('/') })), sub.elements)
    }

    @Test
    fun `smtp-commands lists Exim's EHLO extensions`(lab: Lab) {
        val s = facts(lab).smtp
        val out = output(all(lab), 25, "smtp-commands")
        val hello = "${s.hostname} Hello kmap.invalid [10.223.0.1]"
        assertEquals(ScriptOutput("smtp-commands", "$hello, ${s.extensions.joinToString(", ")}", table(null, elem("hello", hello), list("extensions", s.extensions))), out)
    }

    @Test
    fun `redis-info, memcached-info and mysql-info report the installed versions`(lab: Lab) {
        val f = facts(lab)
        val redis = output(all(lab), 6379, "redis-info")
        assertEquals(f.redis.version, value(redis, "Version"))
        assertEquals("master", value(redis, "Role"))
        assertTrue(redis.output.startsWith("\n  Version: ${f.redis.version}\n  Operating System: Linux "), redis.output)
        val memcached = output(all(lab), 11211, "memcached-info")
        assertEquals(f.memcached.version, value(memcached, "Version"))
        assertTrue(memcached.output.startsWith("\n  Version: ${f.memcached.version}\n  Process ID: "), memcached.output)
        val mysql = output(all(lab), 3306, "mysql-info")
        assertEquals("10", value(mysql, "Protocol"))
        assertEquals("5.5.5-" + f.mariadb.version, value(mysql, "Version"))
        assertEquals("mysql_native_password", value(mysql, "Auth Plugin Name"))
        assertTrue(mysql.output.startsWith("\n  Protocol: 10\n  Version: 5.5.5-${f.mariadb.version}\n  Thread ID: "), mysql.output)
    }

    @Test
    fun `pgsql-info reports SCRAM-SHA-256 and, logged in with SCRAM, the server version`(lab: Lab) {
        val p = facts(lab).postgresql
        val logged = output(all(lab), 5432, "pgsql-info")
        assertEquals(p.auth, value(logged, "auth"))
        assertEquals("true", value(logged, "authenticated"))
        assertEquals(p.serverVersion, value(logged, "server_version"))
        assertTrue(logged.output.startsWith("\n  Authentication: ${p.auth}\n  Login: ${p.user} succeeded\n  Server version: ${p.serverVersion}"), logged.output)
        val anonymous = output(runScan(lab.host(1).ipv4, "T:5432", "pgsql-info"), 5432, "pgsql-info")
        assertEquals(ScriptOutput("pgsql-info", "\n  Authentication: ${p.auth}", table(null, elem("auth", p.auth), elem("authenticated", false))), anonymous)
        val wrong = output(runScan(lab.host(1).ipv4, "T:5432", "pgsql-info", args = mapOf("pgsql-info.password" to "not-" + p.password)), 5432, "pgsql-info")
        assertEquals("false", value(wrong, "authenticated"))
        assertEquals("FATAL: password authentication failed for user \"${p.user}\" (28P01)", value(wrong, "error"))
    }

    @Test
    fun `dns-nsid reports NSID, id server and version bind, dns-recursion that NSD refuses recursion`(lab: Lab) {
        val d = facts(lab).dns
        val hex = d.nsid.toByteArray().joinToString("") { "%02x".format(it) }
        for (protocol in listOf(Protocol.UDP, Protocol.TCP)) {
            assertEquals(
                ScriptOutput("dns-nsid", "\n  NSID: ${d.nsid} ($hex)\n  id.server: ${d.identity}\n  bind.version: ${d.versionBind}",
                    table(null, elem("NSID", d.nsid), elem("NSID_hex", hex), elem("id.server", d.identity), elem("bind.version", d.versionBind))),
                output(all(lab), 53, "dns-nsid", protocol),
            )
        }
        assertEquals(false, d.recursion)
        assertEquals(
            ScriptOutput("dns-recursion", "Recursion appears to be disabled (RA not set, REFUSED for scanme.nmap.org)",
                table(null, elem("recursion", false), elem("ra", false), elem("rcode", "REFUSED"))),
            output(all(lab), 53, "dns-recursion", Protocol.UDP),
        )
    }

    @Test
    fun `ntp-info reads chrony's stratum and refid and notes that mode 6 gets no answer`(lab: Lab) {
        val n = facts(lab).ntp
        val out = output(all(lab), 123, "ntp-info", Protocol.UDP)
        assertEquals(n.stratum.toString(), value(out, "stratum"))
        assertEquals(n.refidHex, value(out, "refid_hex"))
        assertEquals(n.refidHex.chunked(2).joinToString(".") { it.toInt(16).toString() }, value(out, "refid"))
        assertEquals("4", value(out, "version"))
        assertEquals("no reply", value(out, "mode6"))
        assertTrue(out.output.endsWith("\n  mode 6: no reply (not ntpd, or control queries disabled)"), out.output)
        val received = java.time.Instant.parse(value(out, "receive time stamp"))
        assertTrue(java.time.Duration.between(received, java.time.Instant.now()).abs() < java.time.Duration.ofMinutes(10), "$received")
    }

    @Test
    fun `snmp-sysdescr reads sysDescr with the public community, and vnc-info the RFB handshake`(lab: Lab) {
        val s = facts(lab).snmp
        val snmp = output(all(lab), 161, "snmp-sysdescr", Protocol.UDP)
        assertEquals(s.sysDescr, value(snmp, "sysDescr"))
        assertTrue(Regex("${Regex.escape(s.sysDescr)}\n  System uptime: 0 days, 0:\\d\\d:\\d\\d\\.\\d\\d \\(\\d+ timeticks\\)").matches(snmp.output), snmp.output)
        val v = facts(lab).vnc
        val protocol = v.protocol.removePrefix("RFB ").split('.').joinToString(".") { it.toInt().toString() }
        val types = v.securityTypes.map { elem(it, mapOf("None" to 1, "VNC Authentication" to 2).getValue(it)) }
        val vnc = output(all(lab), 5900, "vnc-info")
        assertEquals(table(null, elem("Protocol version", protocol), table("Security types", *types.toTypedArray()), elem("Desktop name", v.desktop), elem("Desktop size", "800x600")), vnc.elements)
        assertEquals("\n  Protocol version: $protocol\n  Security types:\n    None (1)\n  Desktop name: ${v.desktop}\n  Desktop size: 800x600", vnc.output)
    }

    @Test
    fun `category selection picks sensible sets of the library`() {
        val lib = ScriptLibrary.builtIn()
        fun ids(sel: String) = lib.select(sel).map { it.id }.toSet()
        assertEquals(21, lib.scripts.size)
        assertTrue(ids("all").containsAll(scripts))
        assertEquals(setOf("http-title", "http-methods", "http-robots", "ssl-cert", "tls-alpn", "ssh-hostkey", "ftp-anon", "smtp-commands", "mysql-info", "dns-nsid", "dns-recursion", "ntp-info", "snmp-sysdescr", "vnc-info"), ids("default"))
        assertEquals(setOf("ssl-enum-ciphers", "ssh-auth-methods"), ids("intrusive"))
        assertTrue(ids("safe").intersect(ids("intrusive")).isEmpty())
        assertEquals(ids("all") - ids("intrusive"), ids("safe"))
        assertTrue(ids("discovery").containsAll(listOf("banner", "ssl-enum-ciphers", "redis-info", "memcached-info", "pgsql-info")))
        assertEquals(setOf("ssh-auth-methods", "ftp-anon"), ids("auth"))
        // no built-in is in nmap's "version" category (kmap has no -sV yet): a clear selection error
        val e = kotlin.test.assertFailsWith<ScriptSelectionException> { lib.select("version") }
        assertTrue(e.message!!.startsWith("unknown script \"version\" (expected a script name, glob, category or .scan.kts file; built-in: banner, "), e.message)
    }
}
