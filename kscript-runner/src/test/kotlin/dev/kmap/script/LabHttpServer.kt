package dev.kmap.script

import dev.kmap.lab.Lab
import dev.kmap.lab.LabHost
import java.io.File
import java.net.InetSocketAddress
import java.net.Socket

/** lab_http.py running inside a lab host's namespace on [port]; [close] stops it. */
class LabHttpServer(lab: Lab, host: LabHost, val port: Int) : AutoCloseable {
    private val script = File.createTempFile("kmap-lab-http-", ".py").apply {
        writeText(LabHttpServer::class.java.getResource("lab_http.py")!!.readText())
        deleteOnExit()
    }
    private val process = ProcessBuilder("ip", "netns", "exec", "${lab.prefix}-target${host.index}", "python3", script.path, port.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()

    init {
        val deadline = System.nanoTime() + 10_000_000_000L
        while (true) {
            val up = runCatching { Socket().use { it.connect(InetSocketAddress(host.inet4, port), 200) } }.isSuccess
            if (up) break
            check(process.isAlive) { "lab_http.py exited with ${process.exitValue()}" }
            check(System.nanoTime() < deadline) { "lab_http.py did not listen on ${host.ipv4}:$port within 10 s" }
            Thread.sleep(50)
        }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
        script.delete()
    }
}
