package dev.kmap

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.report.testing.FaultyModule
import java.util.concurrent.CancellationException
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** [Kmap.scanAsync]: the future owns the scan. */
class KmapAsyncTest {
    @Test
    fun `cancelling the Java future cancels the scan and closes its sessions`() {
        val sent = AtomicInteger()
        val module = FaultyModule(after = Int.MAX_VALUE, onProbe = { sent.incrementAndGet() })
        val plan = scan { targets("10.0.0.0/16"); ports("1-1000"); connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
        val future = Kmap.scanAsync(plan, EngineConfig(modules = listOf(module), progressIntervalMillis = 0, stageProviders = emptyList()))
        val deadline = System.nanoTime() + 5_000_000_000
        while (sent.get() < 100 && System.nanoTime() < deadline) Thread.sleep(5)
        assertTrue(sent.get() >= 100, "the scan started")
        assertTrue(future.cancel(true))
        assertFailsWith<CancellationException> { future.get(5, TimeUnit.SECONDS) }
        val until = System.nanoTime() + 5_000_000_000
        while (module.closed.get() == 0 && System.nanoTime() < until) Thread.sleep(5)
        assertTrue(module.closed.get() >= 1, "the session was closed")
        val after = sent.get()
        Thread.sleep(200)
        assertEquals(after, sent.get(), "nothing is sent after the cancel")
    }
}
