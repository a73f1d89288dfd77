package dev.kmap.script

/**
 * What a TLS handshake showed: the negotiated [protocol] (e.g. `TLSv1.3`), [cipherSuite],
 * [alpn] protocol (null when none was agreed), and the server's [certificates], leaf first.
 *
 * ```kotlin
 * val info = tlsInfo(alpn = listOf("h2", "http/1.1"))
 * "${info.protocol} ${info.cipherSuite} ${info.certificates.first().subject}"
 * ```
 */
public data class TlsInfo(
    val protocol: String,
    val cipherSuite: String,
    val alpn: String?,
    val certificates: List<CertificateInfo>,
)
