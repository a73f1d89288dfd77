// ssl-enum-ciphers: the TLS versions and cipher suites a server accepts (nmap's ssl-enum-ciphers.nse,
// without the strength grades).
import dev.kmap.script.proto.TlsCipherSuites
import dev.kmap.script.proto.TlsHello

description = "Enumerates the TLS versions (1.0 to 1.3) and cipher suites a server accepts with hand-built ClientHellos: for each version it offers every known suite, records the one the server picks, removes it and asks again until the server refuses. Suites are shown by IANA name in the order found."
categories("discovery", "intrusive")
argument("versions", "the versions to try, comma separated (TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3)", "TLSv1.0,TLSv1.1,TLSv1.2,TLSv1.3")
argument("max-handshakes", "the most handshakes per version", "100")

portRule(Shortport.ssl)

action {
    val byName = mapOf("TLSv1.0" to TlsHello.TLS10, "TLSv1.1" to TlsHello.TLS11, "TLSv1.2" to TlsHello.TLS12, "TLSv1.3" to TlsHello.TLS13)
    val versions = arg("versions", byName.keys.joinToString(",")).split(',').map { it.trim() }.filter { it.isNotEmpty() }
        .map { byName[it] ?: error("ssl-enum-ciphers.versions: unknown version \"$it\" (expected ${byName.keys.joinToString(", ")})") }
    val max = arg("max-handshakes", "100").toIntOrNull()?.takeIf { it > 0 } ?: error("ssl-enum-ciphers.max-handshakes must be a positive number")
    val found = LinkedHashMap<Int, List<String>>()
    for (version in versions) {
        val remaining = (if (version == TlsHello.TLS13) TlsCipherSuites.TLS13 else TlsCipherSuites.LEGACY).keys.toMutableList()
        val accepted = ArrayList<String>()
        while (remaining.isNotEmpty() && accepted.size < max) {
            val hello = TlsHello.clientHello(version, remaining, serverName = host.host.name)
            // no ServerHello (alert, close, or a stall) is asked once more before it ends the version
            val reply = tcp { TlsHello.exchange(this, hello) } ?: tcp { TlsHello.exchange(this, hello) } ?: break
            if (reply.version != version || reply.cipherSuite !in remaining) break
            accepted += TlsCipherSuites.name(reply.cipherSuite)
            remaining -= reply.cipherSuite
        }
        if (accepted.isNotEmpty()) found[version] = accepted
    }
    if (found.isEmpty()) return@action "ERROR: no TLS version was accepted"
    val text = buildString {
        for ((v, ciphers) in found) {
            append("\n  ").append(TlsHello.versionName(v)).append(":\n    ciphers:")
            ciphers.forEach { append("\n      ").append(it) }
        }
    }
    result(text) {
        for ((v, ciphers) in found) table(TlsHello.versionName(v)) { table("ciphers") { ciphers.forEach { add(it) } } }
    }
}
