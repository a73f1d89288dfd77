package dev.kmap.script

import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.script.internal.Tls
import dev.kmap.script.internal.cancellableBlocking
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket
import javax.net.ssl.SSLSocket
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * The receiver of `action { }`: the [host] and [port] (null in a host script) being checked, the
 * script arguments, the scan's [registry], and I/O helpers that time out after [ioTimeout] per
 * operation ([tcp], [udp], [http], [tlsInfo]). Everything that waits is a suspend function;
 * the whole action also has the runner's time budget, after which it is cancelled.
 *
 * ```kotlin
 * action {
 *     val banner = tcp { receiveLine() } ?: return@action null
 *     result { put("banner", banner); put("port", port?.port) }
 * }
 * ```
 */
public class ActionContext internal constructor(
    /** The running script's id (its file name without `.scan.kts`). */
    public val scriptId: String,
    /** The host, with every port result of the scan. */
    public val host: HostResult,
    /** The port for a port script; null for a host script. */
    public val port: PortResult?,
    /** Data shared by the scripts of this scan. */
    public val registry: ScriptRegistry,
    /** Every script argument given. */
    public val scriptArgs: ScriptArgs,
    /** How long one connect or read may wait (script argument `timeout`, in seconds; default 5 s). */
    public val ioTimeout: Duration = scriptArgs["timeout"]?.toDoubleOrNull()?.seconds ?: DEFAULT_IO_TIMEOUT,
) {
    /** The target's address as text (`10.0.0.5`, `::1`). */
    public val address: String get() = host.host.address.toString()

    /** The target's address. */
    public val inet: InetAddress get() = InetAddress.getByAddress(host.host.address.toBytes())

    /** The services of the host's open ports by number (detected or conventional names). */
    public val services: Map<Int, String?> get() = host.ports.filter { it.state == PortState.OPEN }.associate { it.port to it.service }

    /** Argument [name] for this script (`scriptId.name`, then `name`), or null. */
    public fun arg(name: String): String? = scriptArgs.forScript(scriptId, name)

    /** Argument [name] for this script, or [default]. */
    public fun arg(name: String, default: String): String = arg(name) ?: default

    /** Opens a TCP connection to [port] (this action's port by default). The caller closes it. */
    public suspend fun connect(port: Int = portNumber(), timeout: Duration = ioTimeout): TcpConnection =
        Socket().let { s ->
            cancellableBlocking(s::close) {
                try {
                    s.connect(InetSocketAddress(inet, port), TcpConnection.millis(timeout))
                } catch (e: Exception) {
                    s.close(); throw e
                }
                TcpConnection(s, timeout)
            }
        }

    /** Connects to [port], runs [block] on the connection and closes it. */
    public suspend fun <T> tcp(port: Int = portNumber(), timeout: Duration = ioTimeout, block: suspend TcpConnection.() -> T): T =
        connect(port, timeout).use { it.block() }

    /** A UDP socket connected to [port], closed after [block]. */
    public suspend fun <T> udp(port: Int = portNumber(), timeout: Duration = ioTimeout, block: suspend UdpExchange.() -> T): T =
        UdpExchange(InetSocketAddress(inet, port), timeout).use { it.block() }

    /**
     * A TLS connection to [port] (certificates are not checked), offering [alpn] protocols and, when
     * given, only [protocols] (e.g. `TLSv1.2`) and [cipherSuites] (JSSE names). The caller closes it.
     * Throws [javax.net.ssl.SSLException] when the handshake fails.
     */
    public suspend fun tlsConnect(
        port: Int = portNumber(), alpn: List<String> = emptyList(), protocols: List<String>? = null,
        cipherSuites: List<String>? = null, timeout: Duration = ioTimeout,
    ): TcpConnection {
        val plain = connect(port, timeout)
        return try {
            cancellableBlocking(plain::close) {
                val ssl = Tls.handshake(requireNotNull(plain.socket), host.host.name, port, alpn, protocols, cipherSuites)
                TcpConnection(ssl, timeout)
            }
        } catch (e: Throwable) {
            plain.close(); throw e
        }
    }

    /** Handshakes with [port] and reports protocol, cipher, ALPN and certificates (see [tlsConnect]). */
    public suspend fun tlsInfo(
        port: Int = portNumber(), alpn: List<String> = emptyList(), protocols: List<String>? = null,
        cipherSuites: List<String>? = null, timeout: Duration = ioTimeout,
    ): TlsInfo = tlsConnect(port, alpn, protocols, cipherSuites, timeout).use { Tls.info(it.socket as SSLSocket) }

    /** HTTP to this port: over TLS when the port looks like a TLS port (443, 8443, service https, or TLS found by `-sV`). */
    public val http: HttpClient get() = HttpClient(this, port?.let { Shortport.ssl.matches(PortRuleScope(host, it)) } ?: false)

    /** HTTP without TLS to this port, whatever it looks like. */
    public val plainHttp: HttpClient get() = HttpClient(this, false)

    /** HTTPS to this port, whatever it looks like. */
    public val https: HttpClient get() = HttpClient(this, true)

    internal suspend fun tlsConnect(): TcpConnection = tlsConnect(portNumber())

    internal suspend fun connect(): TcpConnection = connect(portNumber())

    internal fun hostHeader(): String {
        val name = host.host.name ?: host.host.address.let { if (it.isV6) "[$it]" else it.toString() }
        val p = portNumber()
        return if (p == 80 || p == 443) name else "$name:$p"
    }

    private fun portNumber(): Int = port?.port ?: throw IllegalStateException("a host script must name the port to connect to")

    public companion object {
        /** The I/O timeout when the `timeout` script argument is not given. */
        public val DEFAULT_IO_TIMEOUT: Duration = 5.seconds
    }
}
