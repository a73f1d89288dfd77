package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * An IPv4 or IPv6 address as a 128-bit value ([high], [low]); IPv4 uses the low 32 bits.
 * Serializes as its canonical text (`10.0.0.1`, `fd00::1`).
 *
 * ```kotlin
 * val a = IpAddress.parse("10.0.0.1")
 * println(a + 1) // 10.0.0.2
 * ```
 */
@Serializable(with = IpAddressSerializer::class)
public class IpAddress private constructor(
    /** True for IPv6. */
    public val isV6: Boolean,
    /** The upper 64 bits (always 0 for IPv4). */
    public val high: Long,
    /** The lower 64 bits (IPv4: the address in the low 32 bits). */
    public val low: Long,
) : Comparable<IpAddress> {
    /** The address bytes in network order: 4 for IPv4, 16 for IPv6. */
    public fun toBytes(): ByteArray = TODO()

    /** The address [n] places further (wrapping is an error). */
    public operator fun plus(n: Long): IpAddress = TODO()

    override fun compareTo(other: IpAddress): Int = TODO()
    override fun equals(other: Any?): Boolean = TODO()
    override fun hashCode(): Int = TODO()

    /** Canonical text: dotted quad, or RFC 5952 for IPv6. */
    override fun toString(): String = TODO()

    public companion object {
        /** Parses an IPv4 or IPv6 literal; raises [InvalidSpecException] otherwise. */
        public fun parse(text: String): IpAddress = TODO()

        /** An IPv4 address from its 32 bits. */
        public fun ofV4(bits: Int): IpAddress = TODO()

        /** An address from 4 or 16 network-order bytes. */
        public fun ofBytes(bytes: ByteArray): IpAddress = TODO()
    }
}
