package dev.kmap.report

import java.io.File
import java.net.InetAddress
import java.nio.file.Files
import java.security.KeyStore
import java.util.concurrent.TimeUnit
import javax.net.ssl.KeyManagerFactory
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLServerSocket
import javax.net.ssl.SSLSocket

/**
 * A real TLS listener on 127.0.0.1 whose self-signed certificate (made by the JDK's keytool)
 * is valid for [validityDays] days from now. Each accepted connection gets a handshake.
 */
class TestTlsServer(validityDays: Int) : AutoCloseable {
    private val dir = Files.createTempDirectory("kmap-tls").toFile()
    private val server: SSLServerSocket
    private val acceptor: Thread
    val port: Int get() = server.localPort

    init {
        val store = File(dir, "server.p12")
        val keytool = File(System.getProperty("java.home"), "bin/keytool").path
        val p = ProcessBuilder(
            keytool, "-genkeypair", "-alias", "kmap", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
            "-validity", validityDays.toString(), "-storetype", "PKCS12", "-keystore", store.path, "-storepass", "changeit", "-keypass", "changeit",
        ).redirectErrorStream(true).start()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "keytool failed: " + p.inputStream.bufferedReader().readText() }
        val ks = KeyStore.getInstance("PKCS12").apply { store.inputStream().use { load(it, "changeit".toCharArray()) } }
        val kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm()).apply { init(ks, "changeit".toCharArray()) }
        val ctx = SSLContext.getInstance("TLS").apply { init(kmf.keyManagers, null, null) }
        server = ctx.serverSocketFactory.createServerSocket(0, 50, InetAddress.getLoopbackAddress()) as SSLServerSocket
        acceptor = Thread {
            while (!server.isClosed) {
                val s = runCatching { server.accept() as SSLSocket }.getOrNull() ?: break
                Thread { s.use { runCatching { it.soTimeout = 2000; it.startHandshake() } } }.apply { isDaemon = true }.start()
            }
        }.apply { isDaemon = true; start() }
    }

    override fun close() {
        server.close()
        acceptor.join(2000)
        dir.deleteRecursively()
    }
}
