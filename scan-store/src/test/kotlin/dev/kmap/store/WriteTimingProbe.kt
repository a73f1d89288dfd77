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

/** Not a test: times the store's parts (`java -cp ... dev.kmap.store.WriteTimingProbeKt URL`). */
fun main(args: Array<String>) {
    val t0 = System.nanoTime()
    fun ms() = (System.nanoTime() - t0) / 1_000_000
    val plan = scan { targets("127.0.0.1"); ports("1-65535"); connect() }
    val h = Host(IpAddress.parse("127.0.0.1"))
    val ports = (1..65535).map { PortResult(it, Protocol.TCP, if (it == 22) PortState.OPEN else PortState.CLOSED, "conn-refused", null, 12) }
    println("${ms()} ms: events built")
    val store = ScanStore.open(args[0])
    println("${ms()} ms: store open")
    val r = store.record(plan)
    println("${ms()} ms: recorder")
    r.event(ScanEvent.Started(plan, 0, 1))
    r.event(ScanEvent.HostStarted(h))
    for (p in ports) r.event(ScanEvent.PortFound(h, p))
    println("${ms()} ms: events queued")
    r.event(ScanEvent.HostFinished(HostResult(h, HostStatus.UP, "user-set", ports)))
    r.event(ScanEvent.Finished(ScanStats(0, 1, 1, 0, 1, 65535, false)))
    r.close()
    println("${ms()} ms: closed")
    store.close()
}
