package dev.kmap.dsl

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * Where a passive run reads packets: a capture file or a live interface.
 *
 * ```kotlin
 * val sources = listOf(PassiveSource.File("capture.pcapng"), PassiveSource.Interface("eth0", filter = "tcp port 443"))
 * ```
 */
@Serializable
public sealed interface PassiveSource {
    /** A pcap or pcapng file (`-` reads standard input). */
    @Serializable
    @SerialName("file")
    public data class File(val path: String) : PassiveSource {
        init {
            if (path.isEmpty() || path.any { it == '\u0000' }) invalid("invalid capture file name \"$path\" (expected a pcap or pcapng file)")
        }
    }

    /**
     * A live interface, with a libpcap [filter] (BPF syntax) or null for everything, the
     * [snapLength] kept of each packet and [promiscuous] mode.
     */
    @Serializable
    @SerialName("interface")
    public data class Interface(val name: String, val filter: String? = null, val snapLength: Int = 65535, val promiscuous: Boolean = true) : PassiveSource {
        init {
            if (name.isBlank() || name.length > 64 || name.any { it.isWhitespace() || it == '/' }) invalid("invalid interface name \"$name\"")
            if (snapLength !in 64..262144) invalid("snapLength must be 64..262144: $snapLength")
        }
    }
}
