// tls-alpn: the application protocols a TLS server negotiates (nmap's tls-alpn.nse).
import dev.kmap.script.proto.TlsCipherSuites
import dev.kmap.script.proto.TlsHello

description = "Offers one application protocol at a time in the ALPN extension of a hand-built TLS 1.2 ClientHello (where the server's choice is visible in the ServerHello) and lists the ones the server accepts (a refusal is asked twice)."
categories("discovery", "safe", "default")
argument("protocols", "the protocols to try, comma separated", "h2,http/1.1,http/1.0,http/0.9,spdy/3,spdy/2,spdy/1,h2c,h3,acme-tls/1")

portRule(Shortport.ssl)

action {
    val protocols = arg("protocols", "h2,http/1.1,http/1.0,http/0.9,spdy/3,spdy/2,spdy/1,h2c,h3,acme-tls/1").split(',').map { it.trim() }.filter { it.isNotEmpty() }
    if (protocols.isEmpty() || protocols.any { it.length > 255 }) error("tls-alpn.protocols must be protocol names of 1 to 255 characters")
    val accepted = protocols.filter { p ->
        val hello = TlsHello.clientHello(TlsHello.TLS12, TlsCipherSuites.LEGACY.keys.toList(), alpn = listOf(p), serverName = host.host.name)
        // no ServerHello (alert, close, or a stall) is asked once more before it counts as a refusal
        (tcp { TlsHello.exchange(this, hello) } ?: tcp { TlsHello.exchange(this, hello) })?.alpn == p
    }
    if (accepted.isEmpty()) return@action null
    result("\n" + accepted.joinToString("\n") { "  $it" }) { accepted.forEach { add(it) } }
}
