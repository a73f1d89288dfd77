package dev.kmap.store

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.scan
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanStats

/** Not a test: times recording a /16 sweep (`java -cp ... dev.kmap.store.SweepTimingProbeKt URL`). */
fun main(args: Array<String>) {
    val plan = scan { targets("10.228.0.0/16"); ports("80"); connect() }
    val base = IpAddress.parse("10.228.0.0")
    val events = ArrayList<ScanEvent>()
    for (i in 0 until 65536L) {
        val h = Host(base + i)
        val p = PortResult(80, Protocol.TCP, PortState.OPEN, "syn-ack", "http", 120)
        events += ScanEvent.HostStarted(h)
        events += ScanEvent.PortFound(h, p)
        events += ScanEvent.HostFinished(HostResult(h, HostStatus.UP, "user-set", listOf(p), latencyMicros = 120, startedAtMillis = 1, finishedAtMillis = 2))
    }
    repeat(3) {
        ScanStore.open(args[0]).use { store ->
            val t0 = System.nanoTime()
            val r = store.record(plan)
            r.event(ScanEvent.Started(plan, 0, 65536))
            events.forEach(r::event)
            val t1 = System.nanoTime()
            r.event(ScanEvent.Finished(ScanStats(0, 1, 65536, 0, 65536, 65536, false)))
            r.close()
            val t2 = System.nanoTime()
            println("queued ${(t1 - t0) / 1_000_000} ms, all written ${(t2 - t0) / 1_000_000} ms")
        }
    }
}
