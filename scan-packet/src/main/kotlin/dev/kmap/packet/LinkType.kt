package dev.kmap.packet

/**
 * The framing of captured packets (the libpcap link-layer header type) that [ReplyParser]
 * understands.
 *
 * ```kotlin
 * val reply = ReplyParser.parse(frame, 0, frame.size, io.capabilities.linkType)
 * ```
 *
 * @property dlt libpcap's `DLT_` number.
 */
public enum class LinkType(public val dlt: Int) {
    /** Ethernet II (`DLT_EN10MB`), also Linux's `lo`, with optional 802.1Q/802.1ad tags. */
    ETHERNET(1),

    /** Bare IPv4 or IPv6 packets (`DLT_RAW`, also 12 and 14 on some systems): tun devices, raw sockets. */
    RAW_IP(101),

    /** Linux cooked capture v1 (`DLT_LINUX_SLL`), e.g. the `any` pseudo-device. */
    LINUX_SLL(113),

    /** Linux cooked capture v2 (`DLT_LINUX_SLL2`). */
    LINUX_SLL2(276),

    /** BSD loopback (`DLT_NULL`): a 4-byte address family in host byte order. */
    NULL(0),
    ;

    /** Lookup by libpcap number. */
    public companion object {
        /**
         * The link type of libpcap's [dlt], or null when kmap cannot parse it.
         *
         * ```kotlin
         * LinkType.ofDlt(1) // ETHERNET
         * ```
         */
        public fun ofDlt(dlt: Int): LinkType? = when (dlt) {
            1 -> ETHERNET
            12, 14, 101 -> RAW_IP
            113 -> LINUX_SLL
            276 -> LINUX_SLL2
            0 -> NULL
            else -> null
        }
    }
}
