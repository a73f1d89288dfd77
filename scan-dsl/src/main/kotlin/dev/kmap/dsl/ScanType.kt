package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * A port scan technique, named after nmap's flag.
 *
 * ```kotlin
 * val plan = scan { targets("127.0.0.1"); syn(); udp() } // scanTypes = [SYN, UDP]
 * ```
 */
@Serializable
public enum class ScanType(
    /** nmap's flag for this scan. */
    public val flag: String,
    /** The protocol whose ports it scans. */
    public val protocol: Protocol,
    /** True when it crafts packets and so needs raw-socket privileges. */
    public val needsRawPackets: Boolean,
) {
    CONNECT("-sT", Protocol.TCP, false),
    SYN("-sS", Protocol.TCP, true),
    FIN("-sF", Protocol.TCP, true),
    NULL("-sN", Protocol.TCP, true),
    XMAS("-sX", Protocol.TCP, true),
    ACK("-sA", Protocol.TCP, true),
    WINDOW("-sW", Protocol.TCP, true),
    MAIMON("-sM", Protocol.TCP, true),
    UDP("-sU", Protocol.UDP, true),
}
