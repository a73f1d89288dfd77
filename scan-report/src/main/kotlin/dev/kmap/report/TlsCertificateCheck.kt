package dev.kmap.report

import java.time.Instant

/**
 * What a TLS server's certificate showed when `tls-valid-for` checked it: the leaf's validity
 * dates and, when the certificate is not to be trusted for this host, the [problem] in one
 * line (an untrusted chain, a self-signed certificate, another host's certificate).
 *
 * ```kotlin
 * val c = TlsCertificateCheck(notBefore = Instant.parse("2025-01-01T00:00:00Z"), notAfter = Instant.parse("2035-01-01T00:00:00Z"), problem = null)
 * ```
 */
public data class TlsCertificateCheck(val notBefore: Instant?, val notAfter: Instant, val problem: String?)
