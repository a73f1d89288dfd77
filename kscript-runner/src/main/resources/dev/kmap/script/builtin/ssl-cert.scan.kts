// ssl-cert: the server's TLS certificate (nmap's ssl-cert.nse).
description = "Completes a TLS handshake (any certificate accepted) and shows the server certificate: subject, issuer, alternative names, public key, validity and fingerprints."
categories("default", "safe", "discovery")
argument("pem", "also show the certificate in PEM form (true/false)", "false")

portRule(Shortport.ssl)

action {
    val cert = tlsInfo().certificates.firstOrNull() ?: return@action "ERROR: the server sent no certificate"
    // IP SANs in RFC 5952 form (the JDK writes IPv6 uncompressed)
    fun ip(s: String): String {
        val a = s.substringAfter("IP Address:", "").takeIf { ':' in it } ?: return s
        val groups = a.split(':').map { it.trimStart('0').ifEmpty { "0" }.lowercase() }
        if (groups.size != 8) return s
        var best = -1; var bestLen = 1; var i = 0
        while (i < 8) { var j = i; while (j < 8 && groups[j] == "0") j++; if (j - i > bestLen) { best = i; bestLen = j - i }; i = maxOf(j, i + 1) }
        val text = if (best < 0) groups.joinToString(":") else groups.subList(0, best).joinToString(":") + "::" + groups.subList(best + bestLen, 8).joinToString(":")
        return "IP Address:$text"
    }
    val sans = cert.subjectAltNames.map(::ip)
    val utc = java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.withZone(java.time.ZoneOffset.UTC)
    val showPem = arg("pem", "false").toBooleanStrictOrNull() ?: error("ssl-cert.pem must be true or false: ${arg("pem")}")
    val lines = listOfNotNull(
        "Subject: ${cert.subject}",
        sans.takeIf { it.isNotEmpty() }?.let { "Subject Alternative Name: ${it.joinToString(", ")}" },
        "Issuer: ${cert.issuer}",
        "Public Key type: ${cert.keyType.lowercase()}",
        cert.keyBits?.let { "Public Key bits: $it" },
        "Signature Algorithm: ${cert.signatureAlgorithm}",
        "Serial: ${cert.serial.uppercase()}",
        "Not valid before: ${utc.format(cert.notBefore)}",
        "Not valid after:  ${utc.format(cert.notAfter)}",
        "SHA-1: ${cert.sha1}",
        "SHA-256: ${cert.sha256}",
    ) + (if (showPem) cert.pem.trimEnd().lines() else emptyList())
    result("\n" + lines.joinToString("\n") { "  $it" }) {
        put("subject", cert.subject)
        put("issuer", cert.issuer)
        table("extensions") { table("subjectAltName") { sans.forEach { add(it) } } }
        table("pubkey") { put("type", cert.keyType.lowercase()); put("bits", cert.keyBits) }
        put("sig_algo", cert.signatureAlgorithm)
        put("serial", cert.serial.uppercase())
        table("validity") { put("notBefore", utc.format(cert.notBefore)); put("notAfter", utc.format(cert.notAfter)) }
        put("sha1", cert.sha1)
        put("sha256", cert.sha256)
        if (showPem) put("pem", cert.pem)
    }
}
