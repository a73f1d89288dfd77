package dev.kmap.engine.service.internal

import java.io.File
import java.net.InetAddress
import java.security.KeyStore
import javax.net.ssl.KeyManagerFactory
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLServerSocket
import javax.net.ssl.SSLSocket
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * A TLS exchange's wait for the reply starts when the handshake is done: a handshake slower than
 * the adaptive wait (a loaded scanner, a JVM's first handshakes, a slow TLS stack) still gets the
 * reply, and the latency it reports is the reply's, not the handshake's. Loopback only.
 */
class ExchangesTlsTest {
    private val dir = kotlin.io.path.createTempDirectory("kmap-tls-test").toFile()
    private val loopback = InetAddress.getByName("127.0.0.1")

    @AfterTest
    fun clean() { dir.deleteRecursively() }

    private fun tlsContext(): SSLContext {
        val store = File(dir, "k.p12")
        val keytool = File(System.getProperty("java.home"), "bin/keytool").path
        val p = ProcessBuilder(
            keytool, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "k", "-dname", "CN=kmap.test",
            "-validity", "2", "-storetype", "PKCS12", "-keystore", store.path, "-storepass", "changeit", "-keypass", "changeit",
        ).redirectErrorStream(true).start()
        val out = p.inputStream.readBytes().decodeToString()
        check(p.waitFor() == 0) { "keytool failed: $out" }
        val ks = KeyStore.getInstance("PKCS12").apply { store.inputStream().use { load(it, "changeit".toCharArray()) } }
        val kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm()).apply { init(ks, "changeit".toCharArray()) }
        return SSLContext.getInstance("TLS").apply { init(kmf.keyManagers, null, null) }
    }

    @Test
    fun `a handshake slower than the wait still gets the reply, with the reply's latency`() {
        val server = tlsContext().serverSocketFactory.createServerSocket(0, 5, loopback) as SSLServerSocket
        server.use {
            Thread {
                runCatching {
                    (server.accept() as SSLSocket).use { c ->
                        Thread.sleep(HANDSHAKE_DELAY_MILLIS) // the handshake is slow
                        c.startHandshake()
                        c.inputStream.read(ByteArray(256))
                        c.outputStream.apply { write("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\n".toByteArray()); flush() }
                        Thread.sleep(300)
                    }
                }
            }.apply { isDaemon = true }.start()
            // an adaptive wait of 200 ms, far shorter than the handshake
            val control = ExchangeControl(System.nanoTime() + 200_000_000L)
            val ex = Exchanges.tcp(loopback, server.localPort, "GET / HTTP/1.0\r\n\r\n", tls = true, control, 1_000, 50_000_000L) { it.contains("\r\n\r\n") }
            assertTrue(ex.answered, "no reply: $ex")
            assertTrue(ex.reply.startsWith("HTTP/1.1 200 OK"), ex.reply)
            assertEquals("CN=kmap.test", ex.tls?.subject)
            assertTrue(ex.latencyNanos in 0 until HANDSHAKE_DELAY_MILLIS * 1_000_000, "latency ${ex.latencyNanos / 1_000_000} ms includes the handshake")
        }
    }

    private companion object {
        const val HANDSHAKE_DELAY_MILLIS = 500L
    }
}
