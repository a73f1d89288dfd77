package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket

/** Run by [FileLimitTest] in a child JVM with a tiny open-file limit: scans loopback and prints the counts. */
fun main() = runBlocking {
    val servers = List(3) { ServerSocket(0, 50, InetAddress.getLoopbackAddress()) }
    val ports = servers.joinToString(",") { "${it.localPort}" }
    val report = scan(scan { targets("127.0.0.1"); ports("1-3000,$ports"); connect(); skipDiscovery(); timing(T4); dns(DnsResolution.NEVER) })
    val states = report.hosts.single().ports.groupingBy { it.state }.eachCount()
    val openPorts = report.hosts.single().ports.filter { it.state == PortState.OPEN }.map { it.port }.toSet()
    println("total=${report.hosts.single().ports.size} listeners-open=${servers.all { it.localPort in openPorts }} states=$states")
    servers.forEach { it.close() }
}
