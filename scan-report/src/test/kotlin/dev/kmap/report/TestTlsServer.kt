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
 * A real TLS listener on 127.0.0.1 whose certificate (made by the JDK's keytool) is valid for
 * [validityDays] days from now (or from [startDate], keytool's `+2d` form), names [san]
 * (keytool's `ip:127.0.0.1`, `dns:host` form) and is self-signed, or signed by [ca]. Each
 * accepted connection gets a handshake.
 */
class TestTlsServer(validityDays: Int, san: String? = "ip:127.0.0.1", startDate: String? = null, ca: TestCa? = null) : AutoCloseable {
    private val dir = Files.createTempDirectory("kmap-tls").toFile()
    private val server: SSLServerSocket
    private val acceptor: Thread
    val port: Int get() = server.localPort

    init {
        val store = File(dir, "server.p12")
        val storeArgs = listOf("-storetype", "PKCS12", "-keystore", store.path, "-storepass", "changeit", "-keypass", "changeit")
        val dates = listOf("-validity", validityDays.toString()) + (startDate?.let { listOf("-startdate", it) } ?: emptyList())
        val ext = san?.let { listOf("-ext", "san=$it") } ?: emptyList()
        keytool(listOf("-genkeypair", "-alias", "kmap", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost") + (if (ca == null) dates + ext else emptyList()) + storeArgs)
        if (ca != null) {
            val csr = File(dir, "server.csr")
            val crt = File(dir, "server.crt")
            keytool(listOf("-certreq", "-alias", "kmap", "-file", csr.path) + storeArgs)
            keytool(listOf("-gencert", "-alias", "ca", "-keystore", ca.store.path, "-storepass", "changeit", "-infile", csr.path, "-outfile", crt.path, "-rfc") + dates + ext)
            keytool(listOf("-importcert", "-noprompt", "-alias", "ca", "-file", ca.pem.path) + storeArgs)
            keytool(listOf("-importcert", "-noprompt", "-alias", "kmap", "-file", crt.path) + storeArgs)
        }
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

/** A certificate authority for [TestTlsServer]s, with its certificate as PEM ([pem]) for a `trust` file. */
class TestCa : AutoCloseable {
    private val dir = Files.createTempDirectory("kmap-ca").toFile()
    val store = File(dir, "ca.p12")
    val pem = File(dir, "ca.pem")

    init {
        keytool(listOf("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=kmap test CA", "-ext", "bc:c", "-validity", "30",
            "-storetype", "PKCS12", "-keystore", store.path, "-storepass", "changeit", "-keypass", "changeit"))
        keytool(listOf("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.path, "-storepass", "changeit", "-file", pem.path))
    }

    override fun close() { dir.deleteRecursively() }
}

private fun keytool(args: List<String>) {
    val p = ProcessBuilder(listOf(File(System.getProperty("java.home"), "bin/keytool").path) + args).redirectErrorStream(true).start()
    val out = p.inputStream.bufferedReader().readText()
    check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "keytool ${args.first()} failed: $out" }
}
