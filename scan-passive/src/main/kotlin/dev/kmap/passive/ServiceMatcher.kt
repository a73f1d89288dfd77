package dev.kmap.passive

/**
 * Recognises services in the banners servers send first (`220 mail.example ESMTP Exim 4.96`):
 * the hook for the `-sV` probe database. [NONE] recognises nothing; SSH, HTTP, TLS and DNS are
 * recognised by their own parsers whatever the matcher says. Called on the pipeline's thread.
 *
 * ```kotlin
 * val matcher = ServiceMatcher { port, banner ->
 *     Regex("^220 .*ESMTP Exim ([\\d.]+)").find(banner)?.let { PassiveMessage.Service("smtp", "Exim smtpd", it.groupValues[1], null) }
 * }
 * ```
 */
public fun interface ServiceMatcher {
    /** The service behind [banner], sent by a server on TCP [port], or null when unknown. */
    public fun match(port: Int, banner: String): PassiveMessage.Service?

    /** Matchers. */
    public companion object {
        /** Recognises nothing. */
        public val NONE: ServiceMatcher = ServiceMatcher { _, _ -> null }
    }
}
