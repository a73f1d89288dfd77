package dev.kmap.report

import dev.kmap.dsl.Expectation
import dev.kmap.dsl.IpAddress
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket
import java.security.KeyStore
import java.security.cert.CertificateException
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.time.Instant
import javax.net.ssl.SNIHostName
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLEngine
import javax.net.ssl.SSLSocket
import javax.net.ssl.TrustManager
import javax.net.ssl.TrustManagerFactory
import javax.net.ssl.X509ExtendedTrustManager

/**
 * Reads the certificate a TLS server presents, for the `tls-valid-for` expectation: [notAfter]
 * only reads the leaf's expiry; [check] also judges the certificate the way a client of that
 * host would: the chain against the system trust store (or the rule's `trust` file) and the host
 * name (the target's name, else its address), accepting a self-signed certificate only when the
 * rule says `allow-self-signed`. Both raise an exception (with a readable message) when there is
 * no TLS handshake. Called from the verifying thread; implementations block.
 *
 * ```kotlin
 * val notAfter = TlsCertificateReader.HANDSHAKE.notAfter(IpAddress.parse("127.0.0.1"), 8443, timeoutMillis = 3000)
 * ```
 */
public fun interface TlsCertificateReader {
    /** The `notAfter` of the leaf certificate served on [address]:[port]. */
    public fun notAfter(address: IpAddress, port: Int, timeoutMillis: Long): Instant

    /**
     * The leaf certificate served on [address]:[port] (known as [hostName], if the target was
     * named) judged under [rule]'s trust settings. The default reads [notAfter] and judges nothing.
     */
    public fun check(address: IpAddress, hostName: String?, port: Int, timeoutMillis: Long, rule: Expectation.TlsCertificateValid): TlsCertificateCheck =
        TlsCertificateCheck(null, notAfter(address, port, timeoutMillis), null)

    public companion object {
        /**
         * A real TLS handshake bounded by the timeout for connect and handshake. It completes
         * whatever the certificate (a scanner reads what it is given) and judges it afterwards.
         */
        public val HANDSHAKE: TlsCertificateReader = HandshakeReader
    }
}

private object HandshakeReader : TlsCertificateReader {
    override fun notAfter(address: IpAddress, port: Int, timeoutMillis: Long): Instant =
        handshake(address, null, port, timeoutMillis, null).leaf.notAfter.toInstant()

    override fun check(address: IpAddress, hostName: String?, port: Int, timeoutMillis: Long, rule: Expectation.TlsCertificateValid): TlsCertificateCheck {
        val seen = handshake(address, hostName, port, timeoutMillis, rule)
        return TlsCertificateCheck(seen.leaf.notBefore.toInstant(), seen.leaf.notAfter.toInstant(), seen.problem)
    }

    private class Seen(val leaf: X509Certificate, val problem: String?)

    private fun handshake(address: IpAddress, hostName: String?, port: Int, timeoutMillis: Long, rule: Expectation.TlsCertificateValid?): Seen {
        val judge = Judge(rule?.let { trustManager(it.trust) }, rule?.allowSelfSigned ?: false)
        val context = SSLContext.getInstance("TLS")
        context.init(null, arrayOf<TrustManager>(judge), null)
        val timeout = timeoutMillis.coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
        val peer = hostName?.takeIf { n -> n.any { it.isLetter() } && ':' !in n } ?: address.toString()
        Socket().use { plain ->
            plain.soTimeout = timeout
            plain.connect(InetSocketAddress(InetAddress.getByAddress(address.toBytes()), port), timeout)
            (context.socketFactory.createSocket(plain, peer, port, true) as SSLSocket).use { socket ->
                socket.sslParameters = socket.sslParameters.apply {
                    endpointIdentificationAlgorithm = "HTTPS"
                    if (peer != address.toString()) serverNames = listOf(SNIHostName(peer))
                }
                socket.startHandshake()
                val leaf = socket.session.peerCertificates.firstOrNull() as? X509Certificate
                    ?: throw javax.net.ssl.SSLException("the server sent no X.509 certificate")
                return Seen(leaf, judge.problem)
            }
        }
    }

    /** The system trust store, or one holding the certificates of the PEM (or DER) file [path]. */
    private fun trustManager(path: String?): X509ExtendedTrustManager {
        val store = path?.let { p ->
            val certificates = try {
                java.io.File(p).inputStream().use { CertificateFactory.getInstance("X.509").generateCertificates(it) }
            } catch (e: Exception) {
                throw javax.net.ssl.SSLException("cannot read the trusted certificates of \"$p\": ${e.message}")
            }
            if (certificates.isEmpty()) throw javax.net.ssl.SSLException("no certificate in \"$p\"")
            KeyStore.getInstance("PKCS12").apply { load(null, null); certificates.forEachIndexed { i, c -> setCertificateEntry("trusted-$i", c) } }
        }
        val factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
        factory.init(store)
        return factory.trustManagers.filterIsInstance<X509ExtendedTrustManager>().first()
    }

    private fun selfSigned(c: X509Certificate): Boolean =
        c.subjectX500Principal == c.issuerX500Principal && runCatching { c.verify(c.publicKey) }.isSuccess

    /**
     * Accepts every server certificate (the handshake must complete to read it) and records why
     * a client of this host would not: the chain first, then the host name.
     */
    private class Judge(private val trust: X509ExtendedTrustManager?, private val allowSelfSigned: Boolean) : X509ExtendedTrustManager() {
        @Volatile var problem: String? = null

        override fun checkServerTrusted(chain: Array<out X509Certificate>, authType: String, socket: Socket?) {
            val tm = trust ?: return
            val leaf = chain.firstOrNull() ?: run { problem = "the server sent no certificate"; return }
            val judge: X509ExtendedTrustManager = try {
                tm.checkServerTrusted(chain, authType) // the chain alone, no host name yet
                tm
            } catch (e: CertificateException) {
                if (selfSigned(leaf) && !allowSelfSigned) { problem = "a self-signed certificate (not trusted; allow-self-signed accepts it)"; return }
                if (!selfSigned(leaf)) { problem = "a certificate that is not trusted (${oneLine(e)})"; return }
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).run {
                    init(KeyStore.getInstance("PKCS12").apply { load(null, null); setCertificateEntry("self", leaf) })
                    trustManagers.filterIsInstance<X509ExtendedTrustManager>().first()
                }
            }
            try {
                judge.checkServerTrusted(chain, authType, socket)
            } catch (e: CertificateException) {
                problem = "a certificate for ${names(leaf)}, not for this host (${oneLine(e)})"
            }
        }

        private fun names(c: X509Certificate): String =
            (c.subjectAlternativeNames?.mapNotNull { it.getOrNull(1)?.toString() }.orEmpty().ifEmpty { listOf(c.subjectX500Principal.name) }).joinToString(", ")

        private fun oneLine(e: Exception) = (e.message ?: e.javaClass.simpleName).lineSequence().first()

        override fun checkServerTrusted(chain: Array<out X509Certificate>, authType: String, engine: SSLEngine?) = checkServerTrusted(chain, authType, null as Socket?)
        override fun checkServerTrusted(chain: Array<out X509Certificate>, authType: String) = checkServerTrusted(chain, authType, null as Socket?)
        override fun checkClientTrusted(chain: Array<out X509Certificate>, authType: String, socket: Socket?) = Unit
        override fun checkClientTrusted(chain: Array<out X509Certificate>, authType: String, engine: SSLEngine?) = Unit
        override fun checkClientTrusted(chain: Array<out X509Certificate>, authType: String) = Unit
        override fun getAcceptedIssuers(): Array<X509Certificate> = emptyArray()
    }
}
