package dev.kmap.dsl

import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonNames

/**
 * A port scan technique, named after nmap's flag: the one registry of scan types. The CLI's
 * `-s*` options and their help, and the DSL's verbs (`connect()`, `syn()`, …, named [dslName]),
 * derive from it; the engine's probe modules say which types they run
 * (`ProbeModule.scanTypes`). JSON spells a type by [dslName], as nmap's XML `scaninfo` does
 * (`"connect"`); the upper-case names of earlier versions are still read.
 *
 * ```kotlin
 * val plan = scan { targets("127.0.0.1"); syn(); udp() } // scanTypes = [SYN, UDP]
 * ScanType.entries.forEach { println("${it.flag}  ${it.description}") }
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public enum class ScanType(
    /** nmap's flag for this scan. */
    public val flag: String,
    /** The protocol whose ports it scans. */
    public val protocol: Protocol,
    /** True when it crafts packets and so needs raw-socket privileges. */
    public val needsRawPackets: Boolean,
    /** One line for `--help` and the docs. */
    public val description: String,
) {
    @SerialName("connect") @JsonNames("CONNECT") CONNECT("-sT", Protocol.TCP, false, "TCP connect scan (no privileges needed)"),
    @SerialName("syn") @JsonNames("SYN") SYN("-sS", Protocol.TCP, true, "TCP SYN scan (raw packets; without them it runs as -sT, with a warning)"),
    @SerialName("fin") @JsonNames("FIN") FIN("-sF", Protocol.TCP, true, "TCP FIN scan (raw packets)"),
    @SerialName("null") @JsonNames("NULL") NULL("-sN", Protocol.TCP, true, "TCP NULL scan (raw packets)"),
    @SerialName("xmas") @JsonNames("XMAS") XMAS("-sX", Protocol.TCP, true, "TCP Xmas scan (raw packets)"),
    @SerialName("ack") @JsonNames("ACK") ACK("-sA", Protocol.TCP, true, "TCP ACK scan (raw packets)"),
    @SerialName("window") @JsonNames("WINDOW") WINDOW("-sW", Protocol.TCP, true, "TCP Window scan (raw packets)"),
    @SerialName("maimon") @JsonNames("MAIMON") MAIMON("-sM", Protocol.TCP, true, "TCP Maimon scan (raw packets)"),
    @SerialName("udp") @JsonNames("UDP") UDP("-sU", Protocol.UDP, true, "UDP scan (raw packets)"),
    ;

    /** The DSL's verb for this type and its JSON name: `connect`, `syn`, `udp`, … */
    public val dslName: String get() = name.lowercase()
}
