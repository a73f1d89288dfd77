package dev.kmap.report.internal

import dev.kmap.engine.HostResult
import dev.kmap.engine.ScanEvent
import dev.kmap.report.ScanSink

/** Keeps every finished host, for the library calls that return a whole `ScanReport`. */
internal class HostCollector : ScanSink {
    val hosts = ArrayList<HostResult>()

    override fun event(event: ScanEvent) { if (event is ScanEvent.HostFinished) hosts += event.result }
}
