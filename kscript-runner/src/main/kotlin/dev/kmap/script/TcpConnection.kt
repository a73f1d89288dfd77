package dev.kmap.script

import dev.kmap.script.internal.cancellableBlocking
import kotlinx.coroutines.Dispatchers
import java.io.ByteArrayOutputStream
import java.io.Closeable
import java.io.InputStream
import java.io.OutputStream
import java.net.Socket
import java.net.SocketTimeoutException
import kotlin.time.Duration

/**
 * An open TCP (or TLS, see [ActionContext.tlsConnect]) connection with read timeouts. Every read
 * waits at most [timeout] for data; reads return what arrived (possibly empty or null at end of
 * stream) instead of throwing on a timeout. Blocking I/O runs on [Dispatchers.IO]; cancelling a
 * read (the action's time budget) closes the connection, which ends it, so a peer that drips
 * bytes cannot hold an action past its budget.
 *
 * Memory stays bounded whatever the peer sends: one 16 KiB read buffer per connection, and
 * every read returns at most what its caller asked for.
 *
 * ```kotlin
 * action { tcp { send("HELP\r\n"); receiveLine() } }
 * ```
 */
public class TcpConnection internal constructor(
    internal val socket: Socket?,
    private val input: InputStream,
    private val output: OutputStream,
    /** How long each read waits for data. */
    public val timeout: Duration,
) : Closeable {
    internal constructor(socket: Socket, timeout: Duration) : this(socket.apply { soTimeout = millis(timeout) }, socket.getInputStream(), socket.getOutputStream(), timeout)

    private val buffer = ByteArray(BUFFER_SIZE)
    private var start = 0
    private var end = 0

    /** Sends [text] (UTF-8). */
    public suspend fun send(text: String): Unit = send(text.toByteArray(Charsets.UTF_8))

    /** Sends [bytes]. */
    public suspend fun send(bytes: ByteArray): Unit = io { output.write(bytes); output.flush() }

    /**
     * One line without its `\n` or `\r\n`, or null when nothing came within the timeout or the
     * peer closed; at most [maxBytes] are read (the partial line is returned, the rest stays).
     */
    public suspend fun receiveLine(maxBytes: Int = 8192): String? = io {
        require(maxBytes > 0) { "maxBytes must be positive: $maxBytes" }
        val line = ByteArrayOutputStream()
        while (line.size() < maxBytes) {
            if (start == end && !fill()) return@io if (line.size() == 0) null else finish(line)
            val limit = minOf(end, start + (maxBytes - line.size()))
            var i = start
            while (i < limit && buffer[i] != NEWLINE) i++
            line.write(buffer, start, i - start)
            if (i < limit) { start = i + 1; return@io finish(line) }
            start = i
        }
        finish(line)
    }

    /** Up to [max] bytes: what is available after the first byte arrives (empty on timeout or end). */
    public suspend fun receiveBytes(max: Int = 65536): ByteArray = io { take(max) }

    /** Exactly [n] bytes, or fewer if the timeout passes or the peer closes first. */
    public suspend fun receiveExactly(n: Int): ByteArray = io {
        val out = ByteArrayOutputStream(minOf(n, BUFFER_SIZE).coerceAtLeast(0))
        while (out.size() < n) {
            val chunk = take(n - out.size())
            if (chunk.isEmpty()) break
            out.write(chunk)
        }
        out.toByteArray()
    }

    /** Everything until the peer closes or [maxBytes]; stops at the first read timeout. */
    public suspend fun receiveAll(maxBytes: Int = 1 shl 20): ByteArray = receiveExactly(maxBytes)

    /** Text received until the peer closes, decoded as ISO-8859-1 (byte for byte). */
    public suspend fun receiveText(maxBytes: Int = 1 shl 20): String = receiveAll(maxBytes).toString(Charsets.ISO_8859_1)

    private suspend fun <T> io(block: () -> T): T = cancellableBlocking(::close, block)

    override fun close() {
        runCatching { socket?.close() }
        if (socket == null) { runCatching { input.close() }; runCatching { output.close() } }
    }

    /** At most [max] buffered (or, after one read, newly arrived) bytes; empty on timeout or end. */
    private fun take(max: Int): ByteArray {
        if (max <= 0) return ByteArray(0)
        if (start == end && !fill()) return ByteArray(0)
        val n = minOf(max, end - start)
        return buffer.copyOfRange(start, start + n).also { start += n }
    }

    /** Reads once into the empty buffer: false on timeout or end of stream. */
    private fun fill(): Boolean {
        start = 0
        end = 0
        val n = try { input.read(buffer) } catch (e: SocketTimeoutException) { 0 }
        if (n <= 0) return false
        end = n
        return true
    }

    private fun finish(line: ByteArrayOutputStream): String = line.toByteArray().toString(Charsets.ISO_8859_1).removeSuffix("\r")

    internal companion object {
        private const val BUFFER_SIZE = 16384
        private const val NEWLINE = '\n'.code.toByte()

        fun millis(timeout: Duration): Int = timeout.inWholeMilliseconds.coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
    }
}
