package dev.kmap.passive

/**
 * What a protocol parser made of a flow's bytes: one typed message per request, response,
 * handshake message, DNS message or banner. Text fields are decoded as ISO-8859-1 and cut to a
 * few hundred characters, so a hostile peer cannot make them large.
 *
 * ```kotlin
 * passiveFlow(plan).collect { e ->
 *     if (e is PassiveEvent.Message) when (val m = e.message) {
 *         is PassiveMessage.TlsClientHello -> println("${e.flow.responder} SNI ${m.serverName} JA4 ${m.ja4}")
 *         is PassiveMessage.HttpRequest -> println("${m.method} ${m.host}${m.target}")
 *         else -> {}
 *     }
 * }
 * ```
 */
public sealed interface PassiveMessage {
    /** The parser that produced it: `http`, `tls`, `dns`, `ssh`, `banner`. */
    public val protocol: String

    /** An HTTP/1.x request line and the headers a scanner cares about. */
    public data class HttpRequest(val method: String, val target: String, val version: String, val host: String?, val userAgent: String?) : PassiveMessage {
        override val protocol: String get() = "http"
    }

    /** An HTTP/1.x status line and headers. */
    public data class HttpResponse(val version: String, val status: Int, val reason: String, val server: String?, val contentType: String?) : PassiveMessage {
        override val protocol: String get() = "http"
    }

    /**
     * A TLS ClientHello: the offered versions (supported_versions, else the legacy version),
     * cipher suites and extensions in order (GREASE values included), SNI, ALPN, and the JA3
     * (string and MD5) and JA4 fingerprints.
     */
    public data class TlsClientHello(
        val legacyVersion: Int,
        val supportedVersions: List<Int>,
        val cipherSuites: List<Int>,
        val extensions: List<Int>,
        val serverName: String?,
        val alpn: List<String>,
        val ja3: String,
        val ja3Hash: String,
        val ja4: String,
    ) : PassiveMessage {
        override val protocol: String get() = "tls"
    }

    /** A TLS ServerHello: the negotiated [version] (supported_versions when present), cipher suite, ALPN and JA3S. */
    public data class TlsServerHello(
        val version: Int,
        val cipherSuite: Int,
        val alpn: String?,
        val ja3s: String,
        val ja3sHash: String,
    ) : PassiveMessage {
        override val protocol: String get() = "tls"
    }

    /**
     * The server's leaf certificate, visible in TLS 1.2 and older handshakes (TLS 1.3 encrypts it).
     * [sha256] is the fingerprint of the DER bytes, lower-case hex.
     */
    public data class TlsCertificate(
        val subject: String,
        val issuer: String,
        val subjectAltNames: List<String>,
        val notBeforeMillis: Long,
        val notAfterMillis: Long,
        val serial: String,
        val sha256: String,
        val chainLength: Int,
    ) : PassiveMessage {
        override val protocol: String get() = "tls"
    }

    /** A DNS message over UDP or TCP. */
    public data class Dns(
        val id: Int,
        val isResponse: Boolean,
        val opcode: Int,
        val rcode: Int,
        val questions: List<DnsQuestion>,
        val answers: List<DnsRecord>,
        val overTcp: Boolean,
    ) : PassiveMessage {
        override val protocol: String get() = "dns"
    }

    /** An SSH identification line (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`), split into its parts. */
    public data class SshBanner(val text: String, val protocolVersion: String, val software: String, val comment: String?) : PassiveMessage {
        override val protocol: String get() = "ssh"
    }

    /** The first bytes a server sent before its client spoke (a greeting), non-printable bytes as `\xNN`. */
    public data class ServerBanner(val text: String) : PassiveMessage {
        override val protocol: String get() = "banner"
    }

    /** What a [ServiceMatcher] recognised in a [ServerBanner] (the `-sV` database, when there is one). */
    public data class Service(val name: String, val product: String?, val version: String?, val info: String?) : PassiveMessage {
        override val protocol: String get() = "banner"
    }
}

/** A DNS question: owner [name] and record [type] (1 A, 28 AAAA, 5 CNAME, 12 PTR, ...). */
public data class DnsQuestion(val name: String, val type: Int)

/**
 * A DNS resource record; [value] is the address (A, AAAA), name (CNAME, NS, PTR, MX after its
 * preference), text (TXT), or the data length for other types.
 */
public data class DnsRecord(val name: String, val type: Int, val ttl: Long, val value: String)
