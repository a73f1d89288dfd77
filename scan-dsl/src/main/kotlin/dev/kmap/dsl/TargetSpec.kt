package dev.kmap.dsl

import dev.kmap.dsl.internal.OctetPattern
import dev.kmap.dsl.internal.checkCidr
import dev.kmap.dsl.internal.checkHostName
import dev.kmap.dsl.internal.checkRange
import dev.kmap.dsl.internal.parseTargetSpec
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * One item of a target list, as a user wrote it: an address, a CIDR block, an nmap octet range,
 * an address range, a host name (resolved later by the engine) or a target file (`-iL`).
 *
 * Every kind checks its invariants when constructed (also when decoded from JSON) and raises
 * [InvalidSpecException] if they do not hold.
 *
 * ```kotlin
 * val spec = TargetSpec.parse("10.0.0-3.1-254") // TargetSpec.OctetRange
 * ```
 */
@Serializable
public sealed interface TargetSpec {
    /**
     * One address.
     *
     * ```kotlin
     * TargetSpec.parse("fd00::1") // Address(fd00::1)
     * ```
     */
    @Serializable
    @SerialName("address")
    public data class Address(val address: IpAddress) : TargetSpec

    /**
     * A CIDR block `base/prefix` (v4 or v6); [base] is the network address (no host bits set).
     *
     * ```kotlin
     * TargetSpec.parse("10.0.0.5/24") // Cidr(10.0.0.0, 24)
     * ```
     */
    @Serializable
    @SerialName("cidr")
    public data class Cidr(val base: IpAddress, val prefix: Int) : TargetSpec {
        init {
            checkCidr(base, prefix)
        }
    }

    /**
     * An nmap IPv4 octet range such as `10.0.0-3.1-254` or `192.168.*.1,3`, kept as its text
     * ([parse] stores a canonical form: sorted, merged items and `*` for 0-255).
     *
     * ```kotlin
     * TargetSpec.parse("10.0.0.-5,3") // OctetRange("10.0.0.0-5")
     * ```
     */
    @Serializable
    @SerialName("octets")
    public data class OctetRange(val text: String) : TargetSpec {
        init {
            OctetPattern.parse(text)
        }
    }

    /**
     * An inclusive address range `first-last` of one address family, with `first <= last`.
     *
     * ```kotlin
     * TargetSpec.parse("10.0.0.5-10.0.0.20") // AddressRange(10.0.0.5, 10.0.0.20)
     * ```
     */
    @Serializable
    @SerialName("range")
    public data class AddressRange(val first: IpAddress, val last: IpAddress) : TargetSpec {
        init {
            checkRange(first, last, "$first-$last")
        }
    }

    /**
     * A host name, resolved later by the engine (RFC 1123 labels; `_` is also accepted).
     *
     * ```kotlin
     * TargetSpec.parse("scanme.nmap.org") // HostName("scanme.nmap.org")
     * ```
     */
    @Serializable
    @SerialName("host")
    public data class HostName(val name: String) : TargetSpec {
        init {
            checkHostName(name)
        }
    }

    /**
     * A file of targets, one or more per line, `#` comments (nmap `-iL`).
     *
     * ```kotlin
     * Targets(listOf(TargetSpec.File("hosts.txt"))).expand { path -> java.io.File(path).readLines() }
     * ```
     */
    @Serializable
    @SerialName("file")
    public data class File(val path: String) : TargetSpec

    public companion object {
        /**
         * Parses one target token in nmap syntax (not a file); raises [InvalidSpecException].
         *
         * The text is trimmed, then: a `/` makes it a CIDR block (host bits are cleared, so
         * `10.0.0.5/24` is `10.0.0.0/24`); a `:` an IPv6 address or range; digits, dots and
         * `,` `-` `*` an IPv4 address, range (`10.0.0.5-10.0.0.20`) or octet range; anything
         * else must be a host name.
         *
         * ```kotlin
         * TargetSpec.parse("192.168.1.1,3,5-7") // OctetRange("192.168.1.1,3,5-7")
         * ```
         */
        public fun parse(text: String): TargetSpec = parseTargetSpec(text)
    }
}
