package dev.kmap.script

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runInterruptible
import java.io.ByteArrayOutputStream
import java.io.Closeable
import java.io.InputStream
import java.io.OutputStream
import java.net.Socket
import java.net.SocketTimeoutException
import kotlin.time.Duration

/**
 * An open TCP (or TLS, see [ActionContext.tls]) connection with read timeouts. Every read waits at
 * most [timeout] for data; reads return what arrived (possibly empty or null at end of stream)
 * instead of throwing on a timeout. Blocking I/O runs on [Dispatchers.IO] and is interruptible.
 *
 * ```kotlin
 * action { tcp { send("HELP\r\n"); receiveLine() } }
 * ```
 */
public class TcpConnection internal constructor(
    internal val socket: Socket,
    /** How long each read waits for data. */
    public val timeout: Duration,
) : Closeable {
    private val input: InputStream = socket.getInputStream()
    private val output: OutputStream = socket.getOutputStream()
    private val pending = ByteArrayOutputStream()

    init { socket.soTimeout = timeout.inWholeMilliseconds.coerceIn(1, Int.MAX_VALUE.toLong()).toInt() }

    /** Sends [text] (UTF-8). */
    public suspend fun send(text: String): Unit = send(text.toByteArray(Charsets.UTF_8))

    /** Sends [bytes]. */
    public suspend fun send(bytes: ByteArray): Unit = runInterruptible(Dispatchers.IO) { output.write(bytes); output.flush() }

    /**
     * One line without its `\n` or `\r\n`, or null when nothing came within the timeout or the
     * peer closed; at most [maxBytes] are read (the partial line is returned).
     */
    public suspend fun receiveLine(maxBytes: Int = 8192): String? = runInterruptible(Dispatchers.IO) {
        val line = ByteArrayOutputStream()
        val buffered = pending.toByteArray().also { pending.reset() }
        var i = 0
        fun finish(): String = line.toByteArray().toString(Charsets.ISO_8859_1).removeSuffix("\r")
        while (i < buffered.size) {
            val b = buffered[i++]
            if (b == '\n'.code.toByte()) { pending.write(buffered, i, buffered.size - i); return@runInterruptible finish() }
            line.write(b.toInt())
        }
        while (line.size() < maxBytes) {
            val b = try { input.read() } catch (e: SocketTimeoutException) { -2 }
            if (b < 0) return@runInterruptible if (line.size() == 0) null else finish()
            if (b == '\n'.code) return@runInterruptible finish()
            line.write(b)
        }
        finish()
    }

    /** Up to [max] bytes: what is available after the first byte arrives (empty on timeout or end). */
    public suspend fun receiveBytes(max: Int = 65536): ByteArray = runInterruptible(Dispatchers.IO) {
        if (pending.size() > 0) {
            val all = pending.toByteArray(); pending.reset()
            if (all.size > max) pending.write(all, max, all.size - max)
            return@runInterruptible all.copyOf(minOf(max, all.size))
        }
        val buf = ByteArray(max)
        val n = try { input.read(buf) } catch (e: SocketTimeoutException) { 0 }
        if (n <= 0) ByteArray(0) else buf.copyOf(n)
    }

    /** Exactly [n] bytes, or fewer if the timeout passes or the peer closes first. */
    public suspend fun receiveExactly(n: Int): ByteArray {
        val out = ByteArrayOutputStream()
        while (out.size() < n) {
            val chunk = receiveBytes(n - out.size())
            if (chunk.isEmpty()) break
            out.write(chunk)
        }
        return out.toByteArray()
    }

    /** Everything until the peer closes or [maxBytes]; stops at the first read timeout. */
    public suspend fun receiveAll(maxBytes: Int = 1 shl 20): ByteArray {
        val out = ByteArrayOutputStream()
        while (out.size() < maxBytes) {
            val chunk = receiveBytes(minOf(65536, maxBytes - out.size()))
            if (chunk.isEmpty()) break
            out.write(chunk)
        }
        return out.toByteArray()
    }

    /** Text received until the peer closes, decoded as ISO-8859-1 (byte for byte). */
    public suspend fun receiveText(maxBytes: Int = 1 shl 20): String = receiveAll(maxBytes).toString(Charsets.ISO_8859_1)

    override fun close() { runCatching { socket.close() } }
}
