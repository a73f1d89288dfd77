package dev.kmap.engine.service.internal

import dev.kmap.engine.TlsDetails
import java.io.IOException
import java.io.InputStream
import java.net.DatagramPacket
import java.net.DatagramSocket
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket
import java.net.SocketTimeoutException
import java.security.MessageDigest
import java.security.SecureRandom
import java.security.cert.X509Certificate
import java.time.Instant
import java.util.concurrent.atomic.AtomicLong
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLSocket
import javax.net.ssl.TrustManager
import javax.net.ssl.X509TrustManager

/** What one probe exchange gave: the reply (ISO-8859-1 text), when its first byte came, whether the peer closed. */
internal class Exchange(
    val reply: String,
    val firstByteNanos: Long,
    val closedByPeer: Boolean,
    val connected: Boolean,
    val refused: Boolean,
    val elapsedNanos: Long,
    val tls: TlsDetails? = null,
    /** From the start of the exchange (connect included) to the first byte of the reply. */
    val latencyNanos: Long = -1,
) {
    val answered: Boolean get() = reply.isNotEmpty()
}

/**
 * The deadline of one exchange, which others may shorten (a reply elsewhere on the port means a
 * banner would have come by now) or cancel (a hard match was found; the host is a tarpit).
 */
internal class ExchangeControl(deadlineNanos: Long) {
    val deadline = AtomicLong(deadlineNanos)
    @Volatile var cancelled = false
    private val created = System.nanoTime()

    /** The exchange starts now: time spent queued for the budget (parallelism, `--max-rate`) is not taken from its wait. */
    fun begin() {
        val queued = System.nanoTime() - created
        if (queued > 0) deadline.getAndAdd(queued)
    }

    fun shortenTo(nanos: Long) { deadline.getAndUpdate { minOf(it, nanos) } }

    /**
     * The connection is ready [setupNanos] after it began: connecting and the TLS handshake (the
     * scanner's own CPU as much as the host: a JVM's first handshakes, a loaded machine) are not
     * taken from the wait for the reply, which adapts to replies' latency.
     */
    fun ready(setupNanos: Long) {
        if (setupNanos > 0) deadline.getAndAdd(setupNanos)
    }
}

/**
 * Blocking probe I/O on plain or TLS TCP connections and UDP sockets, each read in slices of at
 * most [SLICE_MILLIS] so deadlines and cancellation take effect promptly. Replies are capped at
 * [ReplyMatcher.MAX_REPLY] bytes; after the first bytes, the read ends when nothing more came for
 * an idle gap, when [done] says the reply is complete (a hard match), or at the deadline.
 */
internal object Exchanges {
    const val SLICE_MILLIS = 25
    private const val HANDSHAKE_MIN_MILLIS = 1_000L

    private val trustAll: SSLContext by lazy {
        val tm = object : X509TrustManager {
            override fun checkClientTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
            override fun checkServerTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
            override fun getAcceptedIssuers(): Array<X509Certificate> = emptyArray()
        }
        SSLContext.getInstance("TLS").apply { init(null, arrayOf<TrustManager>(tm), SecureRandom()) }
    }

    fun tcp(
        address: InetAddress, port: Int, payload: String, tls: Boolean, control: ExchangeControl,
        connectTimeoutMillis: Int, idleGapNanos: Long, done: (String) -> Boolean,
    ): Exchange {
        val start = System.nanoTime()
        val socket = Socket()
        try {
            try {
                socket.tcpNoDelay = true
                socket.connect(InetSocketAddress(address, port), connectTimeoutMillis.coerceAtLeast(1))
            } catch (e: IOException) {
                return Exchange("", -1, closedByPeer = false, connected = false, refused = e is java.net.ConnectException, elapsedNanos = System.nanoTime() - start)
            }
            var tlsDetails: TlsDetails? = null
            val io: Socket = if (tls) {
                val ssl = try { handshake(socket, control) } catch (e: IOException) {
                    return Exchange("", -1, closedByPeer = true, connected = true, refused = false, elapsedNanos = System.nanoTime() - start)
                }
                tlsDetails = details(ssl, startTls = false)
                ssl
            } else socket
            val sent = System.nanoTime()
            control.ready(sent - start)
            if (payload.isNotEmpty()) {
                try { io.getOutputStream().apply { write(payload.toByteArray(Charsets.ISO_8859_1)); flush() } } catch (e: IOException) {
                    return Exchange("", -1, closedByPeer = true, connected = true, refused = false, elapsedNanos = System.nanoTime() - start, tls = tlsDetails)
                }
            }
            val r = read(io, io.getInputStream(), control, idleGapNanos, done)
            return Exchange(r.text, r.firstByte, r.closed, connected = true, refused = false, elapsedNanos = System.nanoTime() - start, tls = tlsDetails,
                latencyNanos = if (r.firstByte >= 0) r.firstByte - sent else -1)
        } finally {
            runCatching { socket.setSoLinger(true, 0) }
            runCatching { socket.close() }
        }
    }

    class Read(val text: String, val firstByte: Long, val closed: Boolean)

    fun read(socket: Socket, input: InputStream, control: ExchangeControl, idleGapNanos: Long, done: (String) -> Boolean): Read {
        val buf = ByteArray(8192)
        val out = StringBuilder()
        var first = -1L
        var last = 0L
        var closed = false
        while (!control.cancelled && out.length < ReplyMatcher.MAX_REPLY) {
            val now = System.nanoTime()
            var until = control.deadline.get()
            if (first >= 0) until = minOf(until, last + idleGapNanos)
            if (now >= until) break
            socket.soTimeout = minOf(SLICE_MILLIS.toLong(), (until - now) / 1_000_000 + 1).toInt().coerceAtLeast(1)
            val n = try { input.read(buf, 0, minOf(buf.size, ReplyMatcher.MAX_REPLY - out.length)) } catch (e: SocketTimeoutException) { 0 } catch (e: IOException) { closed = true; -1 }
            if (n < 0) { closed = true; break }
            if (n > 0) {
                last = System.nanoTime()
                if (first < 0) first = last
                for (i in 0 until n) out.append((buf[i].toInt() and 0xFF).toChar())
                if (done(out.toString())) break
            }
        }
        return Read(out.toString(), first, closed)
    }

    private fun handshake(plain: Socket, control: ExchangeControl): SSLSocket {
        val ssl = trustAll.socketFactory.createSocket(plain, plain.inetAddress.hostAddress, plain.port, true) as SSLSocket
        // the reply's wait starts after the handshake (ExchangeControl.ready); the handshake itself
        // gets what is left of it, at least HANDSHAKE_MIN_MILLIS
        val left = (control.deadline.get() - System.nanoTime()) / 1_000_000
        ssl.soTimeout = left.coerceIn(HANDSHAKE_MIN_MILLIS, 10_000).toInt()
        ssl.startHandshake()
        return ssl
    }

    /** TLS on an already-connected socket (after STARTTLS): the handshake's details, or null. */
    fun upgrade(plain: Socket, timeoutMillis: Int): TlsDetails? = try {
        val ssl = trustAll.socketFactory.createSocket(plain, plain.inetAddress.hostAddress, plain.port, true) as SSLSocket
        ssl.soTimeout = timeoutMillis
        ssl.startHandshake()
        details(ssl, startTls = true).also { runCatching { ssl.close() } }
    } catch (e: IOException) {
        null
    }

    fun details(ssl: SSLSocket, startTls: Boolean): TlsDetails {
        val session = ssl.session
        val leaf = session.peerCertificates.firstOrNull() as? X509Certificate
        val sans = leaf?.let { c ->
            runCatching { c.subjectAlternativeNames }.getOrNull().orEmpty().mapNotNull { e ->
                when (e[0] as? Int) { 2 -> "DNS:${e[1]}"; 7 -> "IP:" + (runCatching { dev.kmap.dsl.IpAddress.parse(e[1].toString()).toString() }.getOrNull() ?: e[1]); 1 -> "email:${e[1]}"; 6 -> "URI:${e[1]}"; else -> null }
            }
        }.orEmpty()
        return TlsDetails(
            protocol = session.protocol, cipherSuite = session.cipherSuite,
            subject = leaf?.subjectX500Principal?.name, issuer = leaf?.issuerX500Principal?.name, subjectAltNames = sans,
            notBefore = leaf?.notBefore?.toInstant()?.let(Instant::toString), notAfter = leaf?.notAfter?.toInstant()?.let(Instant::toString),
            sha256 = leaf?.let { MessageDigest.getInstance("SHA-256").digest(it.encoded).joinToString("") { b -> "%02x".format(b) } },
            alpn = runCatching { ssl.applicationProtocol }.getOrNull()?.takeIf { it.isNotEmpty() }, startTls = startTls,
        )
    }

    /** One UDP exchange: [payload] sent, resent once halfway to the deadline, the first datagram back. */
    fun udp(address: InetAddress, port: Int, payload: String, control: ExchangeControl): Exchange {
        val start = System.nanoTime()
        DatagramSocket().use { s ->
            s.connect(InetSocketAddress(address, port))
            val bytes = payload.toByteArray(Charsets.ISO_8859_1)
            val packet = DatagramPacket(ByteArray(ReplyMatcher.MAX_REPLY), ReplyMatcher.MAX_REPLY)
            var sends = 0
            val resendAt = start + (control.deadline.get() - start) / 2
            while (!control.cancelled) {
                val now = System.nanoTime()
                if (sends == 0 || (sends == 1 && now >= resendAt)) {
                    try { s.send(DatagramPacket(bytes, bytes.size)) } catch (e: IOException) {
                        return Exchange("", -1, closedByPeer = true, connected = false, refused = true, elapsedNanos = now - start)
                    }
                    sends++
                }
                val until = if (sends == 1) minOf(resendAt, control.deadline.get()) else control.deadline.get()
                if (now >= control.deadline.get()) break
                s.soTimeout = minOf(SLICE_MILLIS.toLong(), (until - now) / 1_000_000 + 1).toInt().coerceAtLeast(1)
                try {
                    s.receive(packet)
                    val t = System.nanoTime()
                    return Exchange(String(packet.data, 0, packet.length, Charsets.ISO_8859_1), t, closedByPeer = false, connected = true, refused = false, elapsedNanos = t - start, latencyNanos = t - start)
                } catch (e: SocketTimeoutException) {
                    continue
                } catch (e: IOException) {
                    // ICMP port unreachable: the port is closed
                    return Exchange("", -1, closedByPeer = true, connected = false, refused = true, elapsedNanos = System.nanoTime() - start)
                }
            }
            return Exchange("", -1, closedByPeer = false, connected = true, refused = false, elapsedNanos = System.nanoTime() - start)
        }
    }
}
