package dev.kmap.report.format.internal

import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState

/** What the SIEM formats (CEF, LEEF) report: one event per open port of a host that is up. */
internal object SiemEvents {
    fun openPorts(result: HostResult): List<PortResult> =
        if (result.status != HostStatus.UP || result.error != null) emptyList() else result.ports.filter { it.state == PortState.OPEN }

    /** Script results of a port on one line: `id: output; id: output` (line breaks kept for the format to escape). */
    fun scripts(port: PortResult): String? =
        port.scripts.takeIf { it.isNotEmpty() }?.joinToString("; ") { "${it.id}: ${it.output.trimEnd('\n')}" }

    const val VENDOR = "kmap"
    const val PRODUCT = "kmap"
    const val EVENT_ID = "open-port"
    const val EVENT_NAME = "Open port"
    const val SEVERITY = 3
}
