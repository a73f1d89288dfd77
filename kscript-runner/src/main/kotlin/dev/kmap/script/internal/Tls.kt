package dev.kmap.script.internal

import dev.kmap.report.TrustAllTls
import dev.kmap.script.CertificateInfo
import dev.kmap.script.TlsInfo
import java.net.Socket
import java.security.cert.X509Certificate
import javax.net.ssl.SSLSocket

/** TLS for scripts: kmap's one trust-all client ([TrustAllTls]; a scanner reports, it does not trust). */
internal object Tls {
    fun handshake(plain: Socket, serverName: String?, port: Int, alpn: List<String>, protocols: List<String>?, ciphers: List<String>?): SSLSocket =
        TrustAllTls.handshake(plain, serverName, port, alpn, protocols, ciphers)

    fun info(ssl: SSLSocket): TlsInfo {
        val session = ssl.session
        return TlsInfo(
            protocol = session.protocol,
            cipherSuite = session.cipherSuite,
            alpn = ssl.applicationProtocol?.takeIf { it.isNotEmpty() },
            certificates = session.peerCertificates.filterIsInstance<X509Certificate>().map { CertificateInfo.of(it) },
        )
    }
}
