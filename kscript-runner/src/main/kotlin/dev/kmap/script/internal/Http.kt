package dev.kmap.script.internal

import dev.kmap.script.HttpResponse
import dev.kmap.script.TcpConnection
import java.io.ByteArrayOutputStream
import java.io.IOException

/** HTTP/1.1 over a [TcpConnection]: one request, one response, then the connection closes. */
internal object Http {
    suspend fun exchange(
        c: TcpConnection, host: String, method: String, path: String, headers: Map<String, String>, body: ByteArray?, maxBody: Int,
    ): HttpResponse {
        require(method.isNotEmpty() && method.all { it.isLetter() || it == '-' }) { "invalid HTTP method \"$method\"" }
        require(!path.any { it == '\r' || it == '\n' || it == ' ' }) { "invalid HTTP path \"$path\" (no spaces or line breaks)" }
        val all = LinkedHashMap<String, String>()
        all["Host"] = host
        all["User-Agent"] = "kmap scripting engine"
        all["Connection"] = "close"
        for ((k, v) in headers) { all.keys.firstOrNull { it.equals(k, ignoreCase = true) }?.let { all.remove(it) }; all[k] = v }
        if (body != null) all["Content-Length"] = body.size.toString()
        val head = StringBuilder("$method $path HTTP/1.1\r\n")
        all.forEach { (k, v) -> head.append(k).append(": ").append(v).append("\r\n") }
        head.append("\r\n")
        c.send(head.toString().toByteArray(Charsets.ISO_8859_1) + (body ?: ByteArray(0)))
        val statusLine = c.receiveLine(MAX_LINE) ?: throw IOException("no HTTP response from $host")
        val parts = statusLine.split(' ', limit = 3)
        val status = parts.getOrNull(1)?.toIntOrNull()
        if (!parts[0].startsWith("HTTP/") || status == null) throw IOException("not an HTTP response: \"${statusLine.take(80)}\"")
        val responseHeaders = ArrayList<Pair<String, String>>()
        var headerBytes = 0
        while (true) {
            val line = c.receiveLine(MAX_LINE) ?: break
            if (line.isEmpty()) break
            if (line.length >= MAX_LINE) throw IOException("HTTP header line longer than $MAX_LINE bytes from $host")
            headerBytes += line.length
            if (responseHeaders.size >= MAX_HEADERS || headerBytes > MAX_HEADER_BYTES) {
                throw IOException("HTTP response from $host has more than $MAX_HEADERS header lines or $MAX_HEADER_BYTES bytes of headers")
            }
            val colon = line.indexOf(':')
            if (colon > 0) responseHeaders += line.substring(0, colon).trim() to line.substring(colon + 1).trim()
        }
        fun header(name: String) = responseHeaders.firstOrNull { it.first.equals(name, ignoreCase = true) }?.second
        val bytes = when {
            method == "HEAD" || status in 100..199 || status == 204 || status == 304 -> ByteArray(0)
            header("Transfer-Encoding")?.contains("chunked", ignoreCase = true) == true -> chunked(c, maxBody)
            header("Content-Length")?.trim()?.toIntOrNull() != null -> c.receiveExactly(header("Content-Length")!!.trim().toInt().coerceIn(0, maxBody))
            else -> c.receiveAll(maxBody)
        }
        return HttpResponse(status, statusLine, responseHeaders, bytes)
    }

    private suspend fun chunked(c: TcpConnection, maxBody: Int): ByteArray {
        val out = ByteArrayOutputStream()
        while (out.size() < maxBody) {
            val sizeLine = c.receiveLine(MAX_LINE) ?: break
            val size = sizeLine.substringBefore(';').trim().toIntOrNull(16) ?: break
            if (size <= 0) break
            val want = minOf(size, maxBody - out.size())
            val chunk = c.receiveExactly(want)
            out.write(chunk)
            if (chunk.size < want) break // the peer stopped or closed mid-chunk
            c.receiveLine(MAX_LINE)
        }
        return out.toByteArray()
    }

    /** The longest status or header line read; a longer one fails the request. */
    const val MAX_LINE = 8192

    /** At most this many header lines, and [MAX_HEADER_BYTES] in all (a hostile server could send them forever). */
    const val MAX_HEADERS = 256
    const val MAX_HEADER_BYTES = 65536
}
