package dev.kmap.dsl

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * One item of a target list, as a user wrote it: an address, a CIDR block, an nmap octet range,
 * an address range, a host name (resolved later by the engine) or a target file (`-iL`).
 *
 * ```kotlin
 * val spec = TargetSpec.parse("10.0.0-3.1-254") // TargetSpec.OctetRange
 * ```
 */
@Serializable
public sealed interface TargetSpec {
    /** One address. */
    @Serializable
    @SerialName("address")
    public data class Address(val address: IpAddress) : TargetSpec

    /** A CIDR block `base/prefix` (v4 or v6); [base] is the network address. */
    @Serializable
    @SerialName("cidr")
    public data class Cidr(val base: IpAddress, val prefix: Int) : TargetSpec

    /** An nmap IPv4 octet range such as `10.0.0-3.1-254` or `192.168.*.1,3`, kept as its text. */
    @Serializable
    @SerialName("octets")
    public data class OctetRange(val text: String) : TargetSpec

    /** An inclusive address range `first-last` of one address family. */
    @Serializable
    @SerialName("range")
    public data class AddressRange(val first: IpAddress, val last: IpAddress) : TargetSpec

    /** A host name, resolved later by the engine. */
    @Serializable
    @SerialName("host")
    public data class HostName(val name: String) : TargetSpec

    /** A file of targets, one or more per line, `#` comments (nmap `-iL`). */
    @Serializable
    @SerialName("file")
    public data class File(val path: String) : TargetSpec

    public companion object {
        /** Parses one target token in nmap syntax (not a file); raises [InvalidSpecException]. */
        public fun parse(text: String): TargetSpec = TODO()
    }
}
