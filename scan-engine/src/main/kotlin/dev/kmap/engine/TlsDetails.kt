package dev.kmap.engine

import kotlinx.serialization.Serializable

/**
 * What a TLS handshake showed service detection: the negotiated [protocol] (`TLSv1.3`) and
 * [cipherSuite], the leaf certificate's [subject] and [issuer] (RFC 2253), [subjectAltNames]
 * (`DNS:www.example.com`, `IP:10.0.0.5`), validity ([notBefore], [notAfter], ISO-8601 instants)
 * and SHA-256 [sha256] fingerprint (lower-case hex), the [alpn] protocol agreed, and whether it
 * was reached by [startTls] (SMTP, IMAP, POP3, FTP, PostgreSQL, LDAP) rather than a TLS port.
 *
 * ```kotlin
 * port.serviceInfo?.tls?.let { println("${it.protocol} ${it.subject} until ${it.notAfter}") }
 * ```
 */
@Serializable
public data class TlsDetails(
    val protocol: String,
    val cipherSuite: String,
    val subject: String? = null,
    val issuer: String? = null,
    val subjectAltNames: List<String> = emptyList(),
    val notBefore: String? = null,
    val notAfter: String? = null,
    val sha256: String? = null,
    val alpn: String? = null,
    val startTls: Boolean = false,
)
