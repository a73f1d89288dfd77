package dev.kmap.engine.service.internal

import dev.kmap.engine.TlsDetails
import java.io.IOException
import java.io.InputStream
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket

/**
 * STARTTLS for the services that have it (SMTP, IMAP, POP3, FTP, PostgreSQL, LDAP): the
 * plaintext steps up to the upgrade, then a TLS handshake whose details are reported. Bounded:
 * every read waits at most [timeoutMillis], every reply is capped.
 */
internal object StartTls {
    val SERVICES: Set<String> = setOf("smtp", "submission", "imap", "pop3", "ftp", "postgresql", "ldap")

    fun probe(service: String, address: InetAddress, port: Int, timeoutMillis: Int): TlsDetails? {
        if (service !in SERVICES) return null
        return try {
            Socket().use { s ->
                s.connect(InetSocketAddress(address, port), timeoutMillis)
                s.soTimeout = timeoutMillis
                val input = s.getInputStream()
                val out = s.getOutputStream()
                fun send(text: String) { out.write(text.toByteArray(Charsets.ISO_8859_1)); out.flush() }
                fun send(bytes: ByteArray) { out.write(bytes); out.flush() }
                val ok = when (service) {
                    "smtp", "submission" -> {
                        lines(input, "220").lastOrNull()?.startsWith("220 ") == true &&
                            run { send("EHLO kmap.invalid\r\n"); lines(input, "250").any { it.substring(4).startsWith("STARTTLS", ignoreCase = true) } } &&
                            run { send("STARTTLS\r\n"); lines(input, "220").lastOrNull()?.startsWith("220") == true }
                    }
                    "imap" -> line(input)?.startsWith("* OK") == true && run { send("a1 STARTTLS\r\n"); untilTagged(input, "a1")?.startsWith("a1 OK") == true }
                    "pop3" -> line(input)?.startsWith("+OK") == true && run { send("STLS\r\n"); line(input)?.startsWith("+OK") == true }
                    "ftp" -> lines(input, "220").isNotEmpty() && run { send("AUTH TLS\r\n"); lines(input, "234").lastOrNull()?.startsWith("234") == true }
                    "postgresql" -> { send(byteArrayOf(0, 0, 0, 8, 4, 0xd2.toByte(), 0x16, 0x2f)); input.read() == 'S'.code }
                    "ldap" -> {
                        // ExtendedRequest 1.3.6.1.4.1.1466.20037, message id 1
                        val oid = "1.3.6.1.4.1.1466.20037".toByteArray(Charsets.US_ASCII)
                        val req = byteArrayOf(0x30, (oid.size + 7).toByte(), 0x02, 0x01, 0x01, 0x77, (oid.size + 2).toByte(), 0x80.toByte(), oid.size.toByte()) + oid
                        send(req)
                        val head = ByteArray(14)
                        var n = 0
                        while (n < head.size) { val r = input.read(head, n, head.size - n); if (r < 0) break; n += r }
                        // ...0x78 (ExtendedResponse) ... 0x0a 0x01 0x00 (resultCode success)
                        n == head.size && head.indexOfFirst { it == 0x78.toByte() }.let { i -> i >= 0 && i + 4 < n && head[i + 2] == 0x0a.toByte() && head[i + 4] == 0.toByte() }
                    }
                    else -> false
                }
                if (ok) Exchanges.upgrade(s, timeoutMillis) else null
            }
        } catch (e: IOException) {
            null
        }
    }

    private fun line(input: InputStream): String? {
        val sb = StringBuilder()
        while (sb.length < 4096) {
            val c = input.read()
            if (c < 0) return sb.toString().ifEmpty { null }
            if (c == '\n'.code) return sb.toString().trimEnd('\r')
            sb.append(c.toChar())
        }
        return sb.toString()
    }

    /** A multi-line reply (`250-...`, `250 ...`): its lines, the last one without a dash. */
    private fun lines(input: InputStream, code: String): List<String> {
        val out = ArrayList<String>()
        repeat(64) {
            val l = line(input) ?: return out
            out += l
            if (l.length < 4 || l[3] != '-') return out
        }
        return out
    }

    private fun untilTagged(input: InputStream, tag: String): String? {
        repeat(64) { val l = line(input) ?: return null; if (l.startsWith("$tag ")) return l }
        return null
    }
}
