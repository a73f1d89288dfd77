package dev.kmap.packet

/**
 * How [PacketIo.open] sets up capture.
 *
 * ```kotlin
 * val options = PacketIoOptions(filter = "tcp and dst host 10.208.0.1", bufferBytes = 32 shl 20)
 * ```
 *
 * @property filter the initial capture filter (libpcap syntax), or null to capture everything.
 * @property snapLength bytes kept of each captured packet: headers and an ICMP error's quote fit in the default.
 * @property bufferBytes the kernel capture buffer; bounds the memory of a reply burst.
 * @property immediate deliver each packet at once instead of in kernel-sized blocks (lower latency).
 * @property promiscuous also capture frames addressed to other hosts.
 */
public data class PacketIoOptions(
    val filter: String? = null,
    val snapLength: Int = 512,
    val bufferBytes: Int = 16 shl 20,
    val immediate: Boolean = true,
    val promiscuous: Boolean = false,
) {
    init {
        require(snapLength in 64..65535) { "snapLength must be 64..65535: $snapLength" }
        require(bufferBytes in (64 shl 10)..(1 shl 30)) { "bufferBytes must be 64 KiB..1 GiB: $bufferBytes" }
    }
}
