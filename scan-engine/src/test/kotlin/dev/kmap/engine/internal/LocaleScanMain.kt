package dev.kmap.engine.internal

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import kotlinx.coroutines.runBlocking
import java.net.InetSocketAddress
import java.nio.channels.SocketChannel

/** Run by [ConnectSessionTest] in a child JVM under another locale: prints the JDK's refusal message and the scan's verdicts. */
fun main(args: Array<String>) = runBlocking {
    val (open, closed) = args.map { it.toInt() }
    val message = try {
        SocketChannel.open(InetSocketAddress("127.0.0.1", closed)).close()
        "connected"
    } catch (e: Exception) {
        e.message
    }
    println("message=$message")
    val report = dev.kmap.engine.scan(
        scan { targets("127.0.0.1"); ports("$open,$closed"); connect(); skipDiscovery(); dns(DnsResolution.NEVER) },
        EngineConfig(progressIntervalMillis = 0),
    )
    println("ports=" + report.hosts.single().ports.joinToString(" ") { "${it.port}=${it.state.name.lowercase()}/${it.reason}" })
}
