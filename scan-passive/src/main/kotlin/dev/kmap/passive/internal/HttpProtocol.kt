package dev.kmap.passive.internal

import dev.kmap.passive.ByteBudget
import dev.kmap.passive.FlowKey
import dev.kmap.passive.MessageSink
import dev.kmap.passive.PassiveMessage
import dev.kmap.passive.ServiceMatcher
import dev.kmap.passive.StreamParser
import dev.kmap.passive.StreamProtocol

/** HTTP/1.x: a request method from the client, or a status line from the server (the request was missed). */
internal object HttpProtocol : StreamProtocol {
    override val name = "http"
    private val methods = listOf("GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ").map { it.toByteArray() }
    private val status = "HTTP/1.".toByteArray()

    override fun accepts(flow: FlowKey, fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int): Boolean =
        if (fromInitiator) methods.any { startsWith(buffer, offset, length, it) } else startsWith(buffer, offset, length, status)

    /** Whether the bytes start with [prefix], or with as much of it as there is (a short first chunk at the end of a stream). */
    private fun startsWith(b: ByteArray, off: Int, len: Int, prefix: ByteArray): Boolean {
        if (len < minOf(prefix.size, 4)) return false
        for (i in 0 until minOf(len, prefix.size)) if (b[off + i] != prefix[i]) return false
        return true
    }

    override fun create(flow: FlowKey, budget: ByteBudget, matcher: ServiceMatcher): StreamParser = HttpParser(budget)
}

/**
 * HTTP/1.x requests and responses in both directions: header blocks are parsed (at most
 * [MAX_HEADER] bytes), bodies skipped without buffering (Content-Length, chunked, or until the
 * server closes). Responses to HEAD, 1xx, 204 and 304 have no body; 101 and a 2xx to CONNECT
 * end parsing (the bytes after them are another protocol).
 */
internal class HttpParser(private val budget: ByteBudget) : StreamParser {
    private inner class Side(val request: Boolean) {
        val acc = Accumulator(budget, MAX_HEADER)
        var state = HEADERS
        var remaining = 0L
        var lineEnds = 0 // consecutive line ends while looking for the end of a header block
        var done = false
    }

    private val up = Side(true)
    private val down = Side(false)
    private val methods = ArrayDeque<String>()
    override var poisonReason: String? = null
        private set

    override fun data(fromInitiator: Boolean, buffer: ByteArray, offset: Int, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        var o = offset
        val end = offset + length
        while (o < end && !s.done && poisonReason == null) {
            when (s.state) {
                HEADERS, TRAILERS -> {
                    var i = o
                    var found = -1
                    while (i < end) {
                        val c = buffer[i]
                        if (c == LF) {
                            if (s.lineEnds > 0 || (s.acc.size == 0 && i == o && s.state == HEADERS)) { found = i; break }
                            s.lineEnds = 1
                        } else if (c != CR) s.lineEnds = 0
                        i++
                    }
                    if (found < 0) {
                        if (!s.acc.append(buffer, o, end - o)) { poisonReason = "HTTP header block longer than $MAX_HEADER bytes"; return }
                        return
                    }
                    if (!s.acc.append(buffer, o, found + 1 - o)) { poisonReason = "HTTP header block longer than $MAX_HEADER bytes"; return }
                    o = found + 1
                    s.lineEnds = 0
                    val trailers = s.state == TRAILERS
                    val block = s.acc
                    if (trailers) { s.state = HEADERS; block.clear(); continue }
                    if (isBlank(block.data, block.size)) { block.clear(); continue } // CRLFs between messages
                    headers(s, fromInitiator, block.data, block.size, out)
                    block.clear()
                }
                BODY -> {
                    val k = minOf(s.remaining, (end - o).toLong()).toInt()
                    o += k
                    s.remaining -= k
                    if (s.remaining == 0L) s.state = HEADERS
                }
                UNTIL_CLOSE -> return
                CHUNK_SIZE -> {
                    var i = o
                    while (i < end && buffer[i] != LF) i++
                    if (!s.acc.append(buffer, o, (if (i < end) i + 1 else end) - o) || s.acc.size > MAX_CHUNK_LINE) {
                        poisonReason = "HTTP chunk size line too long"; return
                    }
                    if (i == end) return
                    o = i + 1
                    val size = chunkSize(s.acc.data, s.acc.size)
                    s.acc.clear()
                    when {
                        size < 0 -> { poisonReason = "bad HTTP chunk size"; return }
                        size == 0L -> { s.state = TRAILERS; s.lineEnds = 1 }
                        else -> { s.remaining = size + 2; s.state = CHUNK_DATA } // the data and its CRLF
                    }
                }
                CHUNK_DATA -> {
                    val k = minOf(s.remaining, (end - o).toLong()).toInt()
                    o += k
                    s.remaining -= k
                    if (s.remaining == 0L) s.state = CHUNK_SIZE
                }
            }
        }
    }

    private fun isBlank(b: ByteArray, n: Int): Boolean {
        for (i in 0 until n) if (b[i] != CR && b[i] != LF) return false
        return true
    }

    private fun headers(s: Side, fromInitiator: Boolean, b: ByteArray, n: Int, out: MessageSink) {
        // lines split at LF, trailing CRs cut; the first non-empty one is the start line, the
        // header lines after it are read in place: only the values kept become strings
        var first: String? = null
        var contentLength = -1L
        var chunked = false
        var host: String? = null
        var agent: String? = null
        var server: String? = null
        var type: String? = null
        var ls = 0
        while (ls <= n) {
            var lf = ls
            while (lf < n && b[lf] != LF) lf++
            var le = lf
            while (le > ls && b[le - 1] == CR) le--
            if (first == null) {
                if (le > ls) first = String(b, ls, le - ls, Charsets.ISO_8859_1)
            } else {
                var colon = ls
                while (colon < le && b[colon] != COLON) colon++
                if (colon in (ls + 1) until le) {
                    var ns = ls
                    var ne = colon
                    while (ns < ne && isSpace(b[ns])) ns++
                    while (ne > ns && isSpace(b[ne - 1])) ne--
                    val header = HEADER_NAMES.indexOfFirst { named(b, ns, ne, it) }
                    if (header >= 0) {
                        var vs = colon + 1
                        var ve = le
                        while (vs < ve && isSpace(b[vs])) vs++
                        while (ve > vs && isSpace(b[ve - 1])) ve--
                        val value = String(b, vs, ve - vs, Charsets.ISO_8859_1)
                        when (header) {
                            0 -> contentLength = value.toLongOrNull()?.takeIf { it >= 0 } ?: -2
                            1 -> chunked = value.lowercase().contains("chunked")
                            2 -> host = value.take(MAX_TEXT)
                            3 -> agent = value.take(MAX_TEXT)
                            4 -> server = value.take(MAX_TEXT)
                            5 -> type = value.take(MAX_TEXT)
                        }
                    }
                }
            }
            ls = lf + 1
        }
        if (first == null) return
        if (contentLength == -2L) { poisonReason = "bad HTTP Content-Length"; return }
        if (s.request) {
            val parts = first.split(' ')
            if (parts.size != 3 || !parts[2].startsWith("HTTP/") || parts[0].isEmpty() || parts[0].any { !it.isLetter() && it != '-' }) {
                poisonReason = "not an HTTP request line"; return
            }
            out.message(fromInitiator, PassiveMessage.HttpRequest(parts[0].take(32), parts[1].take(MAX_TARGET), parts[2].take(16), host, agent))
            if (methods.size == MAX_PENDING) methods.removeFirst()
            methods.addLast(parts[0])
            body(s, chunked, contentLength.coerceAtLeast(0), untilClose = false)
        } else {
            if (!first.startsWith("HTTP/")) { poisonReason = "not an HTTP status line"; return }
            val parts = first.split(' ', limit = 3)
            val status = parts.getOrNull(1)?.toIntOrNull()
            if (status == null || status !in 100..999) { poisonReason = "bad HTTP status code"; return }
            out.message(fromInitiator, PassiveMessage.HttpResponse(parts[0].take(16), status, parts.getOrElse(2) { "" }.take(MAX_TEXT), server, type))
            if (status in 100..199 && status != 101) return // interim: the real response follows
            val method = methods.removeFirstOrNull()
            if (status == 101 || (method == "CONNECT" && status in 200..299)) { up.done = true; down.done = true; return }
            if (method == "HEAD" || status == 204 || status == 304) return
            body(s, chunked, contentLength, untilClose = contentLength < 0 && !chunked)
        }
    }

    /** What String.trim() cuts (Char.isWhitespace), for one ISO-8859-1 byte. */
    private fun isSpace(c: Byte): Boolean = (c.toInt() and 0xff).toChar().isWhitespace()

    /** Whether bytes [from, to) of [b] are [name] (lower-case ASCII), ignoring ASCII case. */
    private fun named(b: ByteArray, from: Int, to: Int, name: String): Boolean {
        if (to - from != name.length) return false
        for (i in name.indices) {
            val c = b[from + i].toInt()
            if ((if (c in 'A'.code..'Z'.code) c + 32 else c) != name[i].code) return false
        }
        return true
    }

    private fun body(s: Side, chunked: Boolean, length: Long, untilClose: Boolean) {
        when {
            chunked -> s.state = CHUNK_SIZE
            untilClose -> s.state = UNTIL_CLOSE
            length > 0 -> { s.state = BODY; s.remaining = length }
            else -> s.state = HEADERS
        }
    }

    private fun chunkSize(b: ByteArray, n: Int): Long {
        var v = 0L
        var digits = 0
        for (i in 0 until n) {
            val c = b[i].toInt().toChar()
            val d = Character.digit(c, 16)
            if (d < 0) break
            if (++digits > 15) return -1
            v = v * 16 + d
        }
        return if (digits == 0) -1 else v
    }

    override fun gap(fromInitiator: Boolean, length: Int, out: MessageSink) {
        val s = if (fromInitiator) up else down
        when (s.state) {
            BODY, CHUNK_DATA -> if (length <= s.remaining) { s.remaining -= length; if (s.remaining == 0L) s.state = if (s.state == BODY) HEADERS else CHUNK_SIZE; return }
            UNTIL_CLOSE -> return
        }
        if (!s.done) poisonReason = "a gap in an HTTP header block"
    }

    override fun end(fromInitiator: Boolean, reset: Boolean, out: MessageSink) { (if (fromInitiator) up else down).done = true }

    override fun wants(fromInitiator: Boolean): Boolean {
        val s = if (fromInitiator) up else down
        return poisonReason == null && !s.done && s.state != UNTIL_CLOSE
    }

    override fun release() { up.acc.release(); down.acc.release() }

    private companion object {
        const val HEADERS = 0
        const val BODY = 1
        const val UNTIL_CLOSE = 2
        const val CHUNK_SIZE = 3
        const val CHUNK_DATA = 4
        const val TRAILERS = 5
        const val MAX_HEADER = 16 shl 10
        const val MAX_CHUNK_LINE = 1024
        const val MAX_TEXT = 256
        const val MAX_TARGET = 1024
        const val MAX_PENDING = 64
        const val CR = '\r'.code.toByte()
        const val LF = '\n'.code.toByte()
        const val COLON = ':'.code.toByte()
        val HEADER_NAMES = arrayOf("content-length", "transfer-encoding", "host", "user-agent", "server", "content-type")
    }
}
