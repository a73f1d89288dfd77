package dev.kmap.script

import java.security.MessageDigest
import java.security.cert.X509Certificate
import java.security.interfaces.ECPublicKey
import java.security.interfaces.RSAPublicKey
import java.time.Instant
import java.util.Base64

/**
 * The fields of an X.509 certificate that scripts report: [subject] and [issuer] (RFC 2253),
 * validity, [serial] (hex), signature algorithm, key type and size, subject alternative names,
 * SHA-256 and SHA-1 fingerprints (lower-case hex) and the [pem] text.
 *
 * ```kotlin
 * val leaf = tlsInfo().certificates.first()
 * "${leaf.subject} until ${leaf.notAfter}"
 * ```
 */
public data class CertificateInfo(
    val subject: String,
    val issuer: String,
    val notBefore: Instant,
    val notAfter: Instant,
    val serial: String,
    val signatureAlgorithm: String,
    val keyType: String,
    val keyBits: Int?,
    val subjectAltNames: List<String>,
    val sha256: String,
    val sha1: String,
    val pem: String,
) {
    public companion object {
        /** The fields of [cert]. */
        public fun of(cert: X509Certificate): CertificateInfo {
            val key = cert.publicKey
            val bits = when (key) {
                is RSAPublicKey -> key.modulus.bitLength()
                is ECPublicKey -> key.params.order.bitLength()
                else -> null
            }
            val sans = runCatching { cert.subjectAlternativeNames }.getOrNull().orEmpty().mapNotNull { entry ->
                val type = entry[0] as? Int
                val value = entry[1]?.toString()
                when (type) { 2 -> "DNS:$value"; 7 -> "IP Address:$value"; 1 -> "email:$value"; 6 -> "URI:$value"; else -> null }
            }
            fun digest(alg: String) = MessageDigest.getInstance(alg).digest(cert.encoded).joinToString("") { "%02x".format(it) }
            val pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(cert.encoded) + "\n-----END CERTIFICATE-----\n"
            return CertificateInfo(
                subject = cert.subjectX500Principal.name, issuer = cert.issuerX500Principal.name,
                notBefore = cert.notBefore.toInstant(), notAfter = cert.notAfter.toInstant(),
                serial = cert.serialNumber.toString(16), signatureAlgorithm = cert.sigAlgName,
                keyType = key.algorithm, keyBits = bits, subjectAltNames = sans,
                sha256 = digest("SHA-256"), sha1 = digest("SHA-1"), pem = pem,
            )
        }
    }
}
