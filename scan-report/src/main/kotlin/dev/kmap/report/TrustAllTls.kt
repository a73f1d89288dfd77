package dev.kmap.report

import java.net.Socket
import java.security.SecureRandom
import java.security.cert.X509Certificate
import javax.net.ssl.SNIHostName
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLSocket
import javax.net.ssl.TrustManager
import javax.net.ssl.X509TrustManager

/**
 * kmap's one TLS client that accepts any certificate: a scanner reads what a server presents, it
 * does not judge it here. [TlsCertificateReader.HANDSHAKE] (expectations) and the scripts' TLS
 * helpers (kscript-runner) both shake hands through it.
 *
 * ```kotlin
 * TrustAllTls.handshake(Socket("127.0.0.1", 8443), serverName = null, port = 8443).use { println(it.session.protocol) }
 * ```
 */
public object TrustAllTls {
    private val context: SSLContext by lazy {
        SSLContext.getInstance("TLS").apply { init(null, arrayOf<TrustManager>(TrustAll), SecureRandom()) }
    }

    /**
     * Layers TLS over the connected [plain] socket and completes the handshake: [serverName] as
     * SNI when it is a name, offering [alpn] protocols, restricted to [protocols] and [ciphers]
     * when given. The returned socket owns [plain].
     */
    public fun handshake(
        plain: Socket,
        serverName: String?,
        port: Int,
        alpn: List<String> = emptyList(),
        protocols: List<String>? = null,
        ciphers: List<String>? = null,
    ): SSLSocket {
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

    private object TrustAll : X509TrustManager {
        override fun checkClientTrusted(chain: Array<out X509Certificate>?, authType: String?) = Unit
        override fun checkServerTrusted(chain: Array<out X509Certificate>?, authType: String?) = Unit
        override fun getAcceptedIssuers(): Array<X509Certificate> = emptyArray()
    }
}
