package dev.kmap.engine.internal

import dev.kmap.packet.RawPackets

/** Whether raw packets work here, asked once per process (it loads libpcap and opens a raw socket). */
internal object RawAvailability {
    val reason: String? by lazy { RawPackets.unavailableReason() }
}
