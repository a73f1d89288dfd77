package dev.kmap.script

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptOutput
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.net.DatagramPacket
import java.net.DatagramSocket
import java.net.InetAddress
import java.net.ServerSocket
import java.security.KeyStore
import java.util.concurrent.TimeUnit
import javax.net.ssl.KeyManagerFactory
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLServerSocket
import javax.net.ssl.SSLSocket
import kotlin.concurrent.thread
import kotlin.test.Test
import kotlin.test.assertEquals

/** The socket, HTTP and TLS helpers of the script API against real servers on 127.0.0.1. */
class ApiLoopbackTest {
    @TempDir lateinit var dir: File

    private val loopback = InetAddress.getByName("127.0.0.1")

    private fun host(vararg ports: Pair<Int, Protocol>) = HostResult(
        Host(IpAddress.parse("127.0.0.1")), HostStatus.UP, "user-set",
        ports = ports.map { (p, proto) -> PortResult(p, proto, PortState.OPEN, "syn-ack", "unknown") },
    )

    private fun run(text: String, host: HostResult): HostResult {
        val f = File(dir, "t.scan.kts").apply { writeText(text.trimIndent() + "\n") }
        return runBlocking { ScriptHost(cacheDir = File(dir, "cache")).runner(listOf(ScriptSource.of(f))).process(host) }
    }

    @Test
    fun `tcp lines and bytes, and udp with a timeout`() {
        ServerSocket(0, 5, loopback).use { server ->
            thread(isDaemon = true) {
                server.accept().use { s ->
                    s.getOutputStream().write("220 hello\r\nsecond line\n".toByteArray())
                    val got = s.getInputStream().bufferedReader().readLine()
                    s.getOutputStream().write("you said $got\n".toByteArray())
                    s.getOutputStream().write(byteArrayOf(1, 2, 3))
                    Thread.sleep(300)
                }
            }
            DatagramSocket(0, loopback).use { udp ->
                thread(isDaemon = true) {
                    val p = DatagramPacket(ByteArray(100), 100)
                    udp.receive(p)
                    udp.send(DatagramPacket(p.data.copyOf(p.length).reversedArray(), p.length, p.socketAddress))
                }
                val out = run(
                    """
                    portRule { isTcp }
                    action {
                        val tcpPart = tcp(timeout = 2.seconds) { listOf(receiveLine(), receiveLine(), send("hi\n"), receiveLine(), receiveExactly(3).toList(), receiveLine()) }
                        val udpPart = udp(${udp.localPort}, 1.seconds) { send(byteArrayOf(1, 2, 3)); listOf(receive()?.toList(), receive()?.toList()) }
                        (tcpPart + udpPart).joinToString("|")
                    }
                    """,
                    host(server.localPort to Protocol.TCP),
                )
                assertEquals(listOf(ScriptOutput("t", "220 hello|second line|kotlin.Unit|you said hi|[1, 2, 3]|null|[3, 2, 1]|null")), out.ports.single().scripts)
            }
        }
    }

    /** A self-signed key pair made with the JDK's keytool. */
    private fun tlsContext(): SSLContext {
        val ks = File(dir, "ks.p12")
        val keytool = File(System.getProperty("java.home"), "bin/keytool").path
        val p = ProcessBuilder(keytool, "-genkeypair", "-alias", "lab", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=kmap-test,O=kmap",
            "-ext", "SAN=dns:kmap.test,ip:127.0.0.1", "-validity", "30", "-storetype", "PKCS12", "-keystore", ks.path, "-storepass", "secret")
            .redirectErrorStream(true).start()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { p.inputStream.bufferedReader().readText() }
        val store = KeyStore.getInstance("PKCS12").apply { ks.inputStream().use { load(it, "secret".toCharArray()) } }
        val kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm()).apply { init(store, "secret".toCharArray()) }
        return SSLContext.getInstance("TLS").apply { init(kmf.keyManagers, null, null) }
    }

    @Test
    fun `tlsInfo reports protocol, cipher, ALPN and the certificate, and https speaks HTTP over TLS`() {
        val server = tlsContext().serverSocketFactory.createServerSocket(0, 5, loopback) as SSLServerSocket
        server.use {
            thread(isDaemon = true) {
                repeat(2) {
                    runCatching {
                        (server.accept() as SSLSocket).use { s ->
                            s.sslParameters = s.sslParameters.apply { applicationProtocols = arrayOf("h2", "http/1.1") }
                            s.startHandshake()
                            val reader = s.getInputStream().bufferedReader()
                            val request = reader.readLine() ?: return@use
                            while (reader.readLine()?.isNotEmpty() == true) Unit
                            s.getOutputStream().write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Seen: ${request.substringBefore(" HTTP")}\r\n\r\n4\r\nkmap\r\n3\r\n ok\r\n0\r\n\r\n".toByteArray())
                        }
                    }
                }
            }
            val out = run(
                """
                portRule { isOpen }
                action {
                    val info = tlsInfo(alpn = listOf("h2"), protocols = listOf("TLSv1.3"))
                    val cert = info.certificates.single()
                    val page = https.get("/x")
                    listOf(info.protocol, info.alpn, cert.subject, cert.issuer, cert.keyType, cert.keyBits, cert.subjectAltNames, cert.sha256.length,
                        page.status, page.header("x-seen"), page.body).joinToString("|")
                }
                """,
                host(server.localPort to Protocol.TCP),
            )
            assertEquals(
                listOf(ScriptOutput("t", "TLSv1.3|h2|CN=kmap-test,O=kmap|CN=kmap-test,O=kmap|RSA|2048|[DNS:kmap.test, IP Address:127.0.0.1]|64|200|GET /x|kmap ok")),
                out.ports.single().scripts,
            )
        }
    }
}
