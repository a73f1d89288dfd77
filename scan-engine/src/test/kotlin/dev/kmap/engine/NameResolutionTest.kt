package dev.kmap.engine

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import kotlinx.coroutines.runBlocking
import java.net.InetAddress
import java.net.ServerSocket
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

class NameResolutionTest {
    private val loopback = InetAddress.getByName("127.0.0.1")

    @Test
    fun `names resolve in parallel, unresolvable ones are reported, reverse names are optional`() = runBlocking {
        ServerSocket(0, 50, loopback).use { server ->
            val concurrent = AtomicInteger()
            var maxConcurrent = 0
            val resolver = object : HostResolver {
                override fun resolve(name: String, preferIpv6: Boolean): List<InetAddress> {
                    val now = concurrent.incrementAndGet()
                    synchronized(this) { maxConcurrent = maxOf(maxConcurrent, now) }
                    Thread.sleep(200) // a slow DNS server: sequential lookups would take 1 s
                    concurrent.decrementAndGet()
                    return if (name.startsWith("up")) listOf(loopback) else emptyList()
                }
                override fun reverse(address: InetAddress) = "ptr.example"
            }
            val plan = scan {
                targets("up1.example", "up2.example", "up3.example", "up4.example", "nowhere.example")
                ports("${server.localPort}"); connect(); skipDiscovery(); dns(DnsResolution.ALWAYS)
            }
            val started = System.nanoTime()
            val report = scan(plan, EngineConfig(resolver = resolver, progressIntervalMillis = 0))
            assertTrue(System.nanoTime() - started < 900_000_000, "five 200 ms lookups ran in parallel")
            assertTrue(maxConcurrent > 1)
            val byName = report.hosts.associateBy { it.host.name }
            assertEquals(HostStatus.UNKNOWN, byName.getValue("nowhere.example").status)
            assertEquals("failed to resolve \"nowhere.example\"", byName.getValue("nowhere.example").error)
            for (n in 1..4) {
                val h = byName.getValue("up$n.example")
                assertEquals(HostStatus.UP, h.status)
                assertEquals("127.0.0.1", h.host.address.toString())
                assertEquals("ptr.example", h.reverseName)
                assertEquals(PortState.OPEN, h.ports.single().state)
            }
        }
    }
}
