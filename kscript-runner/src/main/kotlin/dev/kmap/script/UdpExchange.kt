package dev.kmap.script

import dev.kmap.script.internal.cancellableBlocking
import java.io.Closeable
import java.net.DatagramPacket
import java.net.DatagramSocket
import java.net.InetSocketAddress
import java.net.SocketTimeoutException
import kotlin.time.Duration

/**
 * A connected UDP socket to one port: [send] datagrams, [receive] one with a timeout.
 *
 * ```kotlin
 * action { udp { send(byteArrayOf(0x17, 0x00, 0x03, 0x2a) + ByteArray(4)); receive()?.size } }
 * ```
 */
public class UdpExchange internal constructor(
    private val target: InetSocketAddress,
    /** How long [receive] waits. */
    public val timeout: Duration,
) : Closeable {
    private val socket = DatagramSocket().apply {
        connect(target)
        soTimeout = timeout.inWholeMilliseconds.coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
    }

    /** Sends one datagram. */
    public suspend fun send(bytes: ByteArray): Unit = cancellableBlocking(::close) { socket.send(DatagramPacket(bytes, bytes.size)) }

    /** The next datagram from the port, or null when none came within [timeout] (or the port is closed). */
    public suspend fun receive(max: Int = 65535): ByteArray? = cancellableBlocking(::close) {
        val p = DatagramPacket(ByteArray(max), max)
        try { socket.receive(p); p.data.copyOf(p.length) } catch (e: SocketTimeoutException) { null } catch (e: java.net.PortUnreachableException) { null }
    }

    override fun close() { socket.close() }
}
