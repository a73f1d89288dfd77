package dev.kmap.script.internal

import dev.kmap.script.CertificateInfo
import dev.kmap.script.TlsInfo
import java.net.Socket
import java.security.SecureRandom
import java.security.cert.X509Certificate
import javax.net.ssl.SNIHostName
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLSocket
import javax.net.ssl.TrustManager
import javax.net.ssl.X509TrustManager

/** TLS for scripts: a handshake that accepts any certificate (a scanner reports, it does not trust). */
internal object Tls {
    private val context: SSLContext by lazy {
        val trustAll = object : X509TrustManager {
            override fun checkClientTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
            override fun checkServerTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
            override fun getAcceptedIssuers(): Array<X509Certificate> = emptyArray()
        }
        SSLContext.getInstance("TLS").apply { init(null, arrayOf<TrustManager>(trustAll), SecureRandom()) }
    }

    fun handshake(plain: Socket, serverName: String?, port: Int, alpn: List<String>, protocols: List<String>?, ciphers: List<String>?): SSLSocket {
        val ssl = context.socketFactory.createSocket(plain, serverName ?: plain.inetAddress.hostAddress, port, true) as SSLSocket
        ssl.soTimeout = plain.soTimeout
        val params = ssl.sslParameters
        if (alpn.isNotEmpty()) params.applicationProtocols = alpn.toTypedArray()
        if (protocols != null) params.protocols = protocols.toTypedArray()
        if (ciphers != null) params.cipherSuites = ciphers.toTypedArray()
        if (serverName != null && serverName.any { it.isLetter() }) runCatching { params.serverNames = listOf(SNIHostName(serverName)) }
        ssl.sslParameters = params
        ssl.startHandshake()
        return ssl
    }

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
