package dev.kmap.passive

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ServiceNames
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.OsMatch
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import dev.kmap.passive.internal.TlsHello

/**
 * Turns passive events into the scan result model: one [HostResult] per address that sent a
 * packet, with its MAC (from ARP, or from the frames it sent when that MAC is not shared by
 * other addresses, i.e. not a router's), the DNS names seen for it, p0f-style OS guesses,
 * and a port per service it was seen providing: TCP ports that answered a SYN with a SYN/ACK
 * (`syn-ack`) or sent server data in a flow picked up midstream (`passive`), ports that refused
 * with a RST (closed, `reset`), UDP ports that answered (`udp-response`). What the parsers
 * saw (TLS server names and certificate, HTTP hosts, paths, Server and User-Agent, SSH and
 * other banners, JA3/JA4) is in each port's `passive` script output, names asked in DNS in the
 * host's. Every collection is capped, so memory stays bounded whatever the capture holds.
 *
 * ```kotlin
 * val results = PassiveResults()
 * PassivePipeline(PassiveLimits(), listener = results).also { feed(it) }.finish(false)
 * results.hosts().forEach { println("${it.host} ${it.mac} ${it.ports.map { p -> p.port }}") }
 * ```
 */
public class PassiveResults(private val maxHosts: Int = 100_000) : PassiveListener {
    private class Port(val port: Int, val protocol: Protocol) {
        var state: PortState? = null
        var reason = ""
        var name: String? = null
        var product: String? = null
        var version: String? = null
        var info: String? = null
        val details = LinkedHashMap<String, LinkedHashSet<String>>()
        fun add(key: String, value: String?) {
            if (value.isNullOrEmpty()) return
            val set = details.getOrPut(key) { LinkedHashSet() }
            if (set.size < MAX_VALUES) set += value
        }
    }

    private class HostInfo(val address: IpAddress) {
        var frameMac: String? = null
        var first = 0L
        var last = 0L
        val names = LinkedHashSet<String>()
        val ports = LinkedHashMap<Long, Port>()
        val os = LinkedHashMap<String, Pair<OsGuess, Int>>()
        val details = LinkedHashMap<String, LinkedHashSet<String>>()
        fun add(key: String, value: String?) {
            if (value.isNullOrEmpty()) return
            val set = details.getOrPut(key) { LinkedHashSet() }
            if (set.size < MAX_VALUES) set += value
        }
    }

    private class FlowNote(val key: FlowKey) { var synAck = false; var responderData = false; var service: String? = null }

    private val hosts = LinkedHashMap<IpAddress, HostInfo>()
    private val flows = HashMap<Long, FlowNote>()
    private val macUsers = HashMap<String, MutableSet<IpAddress>>()

    /** Addresses not tracked because [maxHosts] were already. */
    public var hostsDropped: Long = 0
        private set

    override fun event(event: PassiveEvent) {
        when (event) {
            is PassiveEvent.Started -> {
                host(event.flow.initiator, event.timestampNanos)
                flows[event.flowId] = FlowNote(event.flow)
            }
            is PassiveEvent.StateChange -> if (event.to == FlowState.SYN_RECEIVED) flows[event.flowId]?.synAck = true
            is PassiveEvent.Established -> flows[event.flowId]?.let { n -> n.synAck = true; open(n.key, "syn-ack", event.timestampNanos) }
            is PassiveEvent.Message -> message(event)
            is PassiveEvent.Ended -> ended(event)
            is PassiveEvent.Neighbour -> neighbour(event)
            is PassiveEvent.OsHint -> host(event.address, event.timestampNanos)?.let { h ->
                val label = event.guess.label ?: return
                val prev = h.os[label]
                if (prev != null) h.os[label] = prev.first to prev.second + 1 else if (h.os.size < MAX_VALUES) h.os[label] = event.guess to 1
            }
            is PassiveEvent.Packet, is PassiveEvent.Finished -> Unit
        }
    }

    private fun host(a: IpAddress, ts: Long): HostInfo? {
        val h = hosts[a] ?: run {
            if (hosts.size >= maxHosts) { hostsDropped++; return null }
            HostInfo(a).also { it.first = ts; hosts[a] = it }
        }
        if (ts > h.last) h.last = ts
        return h
    }

    private fun port(key: FlowKey, ts: Long): Port? {
        val h = host(key.responder, ts) ?: return null
        val proto = if (key.protocol == FlowKey.UDP) Protocol.UDP else Protocol.TCP
        val id = (key.protocol.toLong() shl 32) or key.responderPort.toLong()
        return h.ports[id] ?: if (h.ports.size >= MAX_PORTS) null else Port(key.responderPort, proto).also { h.ports[id] = it }
    }

    private fun open(key: FlowKey, reason: String, ts: Long) {
        if (key.protocol != FlowKey.TCP && key.protocol != FlowKey.UDP) return
        val p = port(key, ts) ?: return
        if (p.state != PortState.OPEN) { p.state = PortState.OPEN; p.reason = reason }
    }

    private fun message(e: PassiveEvent.Message) {
        val n = flows[e.flowId]
        val key = e.flow
        if (!e.fromInitiator) { n?.responderData = true; open(key, if (n?.synAck == true) "syn-ack" else "passive", e.timestampNanos) }
        val server = port(key, e.timestampNanos) ?: return
        val client = host(key.initiator, e.timestampNanos)
        when (val m = e.message) {
            is PassiveMessage.HttpRequest -> {
                server.add("http.host", m.host); server.add("http.path", "${m.method} ${m.target}".take(200)); server.add("http.userAgent", m.userAgent)
                if (server.name == null) server.name = "http"
            }
            is PassiveMessage.HttpResponse -> {
                server.name = if (server.name == "ssl") "ssl/http" else server.name ?: "http"
                server.add("http.status", m.status.toString()); server.add("http.server", m.server)
                m.server?.let { s -> if (server.product == null) { server.product = s.substringBefore('/').substringBefore(' '); server.version = s.substringAfter('/', "").substringBefore(' ').ifEmpty { null } } }
            }
            is PassiveMessage.TlsClientHello -> {
                server.add("tls.serverName", m.serverName); m.alpn.forEach { server.add("tls.alpnOffered", it) }
                server.add("tls.ja4", m.ja4); server.add("tls.ja3", m.ja3Hash)
                client?.add("tls.clientJa4", m.ja4)
                if (server.name == null) server.name = "ssl"
            }
            is PassiveMessage.TlsServerHello -> {
                server.add("tls.version", tlsVersion(m.version)); server.add("tls.cipher", "0x" + TlsHello.hex4(m.cipherSuite)); server.add("tls.alpn", m.alpn); server.add("tls.ja3s", m.ja3sHash)
                val table = ServiceNames.name(Protocol.TCP, key.responderPort)
                server.name = when {
                    m.alpn == "h2" || m.alpn?.startsWith("http") == true -> "ssl/http"
                    table != null && table.endsWith("s") && table != "ssh" -> table
                    else -> server.name?.takeIf { it.startsWith("ssl") } ?: "ssl"
                }
            }
            is PassiveMessage.TlsCertificate -> {
                server.add("tls.subject", m.subject); server.add("tls.issuer", m.issuer); m.subjectAltNames.forEach { server.add("tls.san", it) }
                server.add("tls.sha256", m.sha256)
            }
            is PassiveMessage.Dns -> dns(key, e.fromInitiator, m, server, e.timestampNanos)
            is PassiveMessage.SshBanner -> if (e.fromInitiator) client?.add("ssh.client", m.text) else {
                server.name = "ssh"; server.add("ssh.banner", m.text)
                val sw = m.software
                server.product = sw.substringBefore('_').ifEmpty { null }
                server.version = sw.substringAfter('_', "").ifEmpty { null }
                server.info = m.comment
            }
            is PassiveMessage.ServerBanner -> server.add("banner", m.text.take(200))
            is PassiveMessage.Service -> { server.name = m.name; server.product = m.product; server.version = m.version; server.info = m.info }
        }
    }

    private fun dns(key: FlowKey, fromInitiator: Boolean, m: PassiveMessage.Dns, server: Port, ts: Long) {
        if (!fromInitiator && m.isResponse) server.name = "domain"
        if (fromInitiator && !m.isResponse) host(key.initiator, ts)?.let { c -> m.questions.forEach { q -> c.add("dns.asked", q.name) } }
        if (!m.isResponse) return
        m.questions.forEach { server.add("dns.name", it.name) }
        for (a in m.answers) {
            if (a.type != 1 && a.type != 28) continue
            val addr = runCatching { IpAddress.parse(a.value) }.getOrNull() ?: continue
            val h = hosts[addr] ?: continue // only names of hosts seen in the capture
            if (h.names.size < MAX_VALUES) h.names += a.name
            m.questions.firstOrNull()?.name?.let { q -> if (h.names.size < MAX_VALUES) h.names += q }
        }
    }

    private fun ended(e: PassiveEvent.Ended) {
        val n = flows.remove(e.flowId)
        if (e.stats.packetsDown > 0) host(e.flow.responder, e.stats.lastSeenNanos)
        if (e.flow.protocol == FlowKey.UDP && e.stats.packetsDown > 0 && e.stats.packetsUp > 0) open(e.flow, "udp-response", e.timestampNanos)
        if (e.flow.protocol == FlowKey.TCP && e.state == FlowState.RESET && n != null && !n.synAck && !n.responderData && e.stats.packetsDown > 0 && !(n.key.responderPort == 0)) {
            val p = port(e.flow, e.timestampNanos) ?: return
            if (p.state == null) { p.state = PortState.CLOSED; p.reason = "reset" }
        }
    }

    private fun neighbour(e: PassiveEvent.Neighbour) {
        val h = host(e.address, e.timestampNanos) ?: return
        // a router's MAC carries many addresses of one family; a host's IPv6 link-local address does not count
        val linkLocal = e.address.isV6 && (e.address.high ushr 54) == 0x3faL
        if (!linkLocal) {
            val users = macUsers.getOrPut(e.mac + (if (e.address.isV6) "/6" else "/4")) { HashSet() }
            if (users.size < 3) users += e.address
        }
        if (h.frameMac == null) h.frameMac = e.mac
    }

    /** The hosts seen, in address order, as the result model has them; [startedAtMillis] is when the capture began. */
    public fun hosts(): List<HostResult> = hosts.values.sortedBy { it.address }.map { h ->
        val mac = h.frameMac?.takeIf { (macUsers[it + (if (h.address.isV6) "/6" else "/4")]?.size ?: 0) <= 1 }
        val ports = h.ports.values.filter { it.state != null }.sortedWith(compareBy({ it.protocol }, { it.port })).map { p ->
            val table = ServiceNames.name(p.protocol, p.port)
            val scripts = if (p.details.isEmpty() && p.product == null) emptyList() else listOf(script(p.details, p.product, p.version, p.info))
            PortResult(p.port, p.protocol, p.state!!, p.reason, p.name ?: table, scripts = scripts)
        }
        val os = h.os.values.sortedByDescending { it.second }.map { (g, count) ->
            OsMatch(g.label!!, g.osClass, if (g.fuzzy) 80 else 95, "passive", "${g.signature} (${count}x)")
        }
        HostResult(
            host = Host(h.address, h.names.firstOrNull()), status = HostStatus.UP, reason = "passive", ports = ports,
            startedAtMillis = h.first / 1_000_000, finishedAtMillis = h.last / 1_000_000,
            hostScripts = if (h.details.isEmpty()) emptyList() else listOf(script(h.details, null, null, null)),
            mac = mac, hostnames = h.names.toList(), os = os,
        )
    }

    private fun script(details: Map<String, Set<String>>, product: String?, version: String?, info: String?): ScriptOutput {
        val elems = ArrayList<ScriptElement>()
        if (product != null) elems += ScriptElement.Elem("product", product)
        if (version != null) elems += ScriptElement.Elem("version", version)
        if (info != null) elems += ScriptElement.Elem("info", info)
        for ((k, v) in details) elems += if (v.size == 1) ScriptElement.Elem(k, v.first()) else ScriptElement.Table(v.map { ScriptElement.Elem(null, it) }, k)
        val text = buildList {
            if (product != null) add("product: " + listOfNotNull(product, version, info?.let { "($it)" }).joinToString(" "))
            details.forEach { (k, v) -> add("$k: ${v.joinToString(", ")}") }
        }.joinToString("\n")
        return ScriptOutput(SCRIPT_ID, text, ScriptElement.Table(elems))
    }

    private fun tlsVersion(v: Int) = when (v) { 0x0300 -> "SSLv3"; 0x0301 -> "TLSv1.0"; 0x0302 -> "TLSv1.1"; 0x0303 -> "TLSv1.2"; 0x0304 -> "TLSv1.3"; else -> "0x" + TlsHello.hex4(v) }

    /** Constants. */
    public companion object {
        /** The id of the script output that carries what the parsers saw. */
        public const val SCRIPT_ID: String = "passive"
        private const val MAX_VALUES = 32
        private const val MAX_PORTS = 1024
    }
}
