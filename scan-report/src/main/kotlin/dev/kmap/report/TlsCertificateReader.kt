package dev.kmap.report

import dev.kmap.dsl.IpAddress
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket
import java.security.cert.X509Certificate
import java.time.Instant

/**
 * Reads the expiry (`notAfter`) of the certificate a TLS server presents, for the
 * `tls-valid-for` expectation. Raises an exception (with a readable message) when there is no
 * TLS handshake. Called from the verifying thread; implementations block.
 *
 * ```kotlin
 * val notAfter = TlsCertificateReader.HANDSHAKE.notAfter(IpAddress.parse("127.0.0.1"), 8443, timeoutMillis = 3000)
 * ```
 */
public fun interface TlsCertificateReader {
    /** The `notAfter` of the leaf certificate served on [address]:[port]. */
    public fun notAfter(address: IpAddress, port: Int, timeoutMillis: Long): Instant

    public companion object {
        /**
         * A real TLS handshake through [TrustAllTls] (it only reads the peer's certificate, it
         * does not judge it), bounded by the timeout for connect and handshake.
         */
        public val HANDSHAKE: TlsCertificateReader = TlsCertificateReader { address, port, timeoutMillis ->
            val timeout = timeoutMillis.coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
            val plain = Socket()
            plain.soTimeout = timeout
            try {
                plain.connect(InetSocketAddress(InetAddress.getByAddress(address.toBytes()), port), timeout)
            } catch (e: Exception) {
                plain.close()
                throw e
            }
            TrustAllTls.handshake(plain, serverName = null, port = port).use { socket ->
                val leaf = socket.session.peerCertificates.firstOrNull() as? X509Certificate
                    ?: throw javax.net.ssl.SSLException("the server sent no X.509 certificate")
                leaf.notAfter.toInstant()
            }
        }
    }
}
