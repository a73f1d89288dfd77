package dev.kmap.dsl

import dev.kmap.dsl.internal.carry
import dev.kmap.dsl.internal.formatV4
import dev.kmap.dsl.internal.formatV6
import dev.kmap.dsl.internal.parseIp
import dev.kmap.dsl.internal.ucmp128
import kotlinx.serialization.Serializable

/**
 * An IPv4 or IPv6 address as a 128-bit value ([high], [low]); IPv4 uses the low 32 bits.
 * Serializes as its canonical text (`10.0.0.1`, `fd00::1`).
 *
 * Addresses compare IPv4 before IPv6, then numerically.
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
    public fun toBytes(): ByteArray =
        if (isV6) {
            ByteArray(16) { i -> ((if (i < 8) high else low) ushr (56 - 8 * (i % 8))).toByte() }
        } else {
            ByteArray(4) { i -> (low ushr (24 - 8 * i)).toByte() }
        }

    /**
     * The address [n] places further ([n] may be negative); going past the first or last address
     * of the family raises [InvalidSpecException].
     */
    public operator fun plus(n: Long): IpAddress {
        if (!isV6) {
            val v = low + n // wraps only for huge positive n, caught by v < low
            if (if (n >= 0) v < low || v > V4_MAX else v < 0) outOfRange(n)
            return IpAddress(false, 0L, v)
        }
        val newLow = low + n
        val newHigh = if (n >= 0) high + carry(low, n) else high - 1 + carry(low, n)
        val cmp = ucmp128(newHigh, newLow, high, low)
        if ((n > 0 && cmp <= 0) || (n < 0 && cmp >= 0)) outOfRange(n)
        return IpAddress(true, newHigh, newLow)
    }

    private fun outOfRange(n: Long): Nothing =
        invalid("address $this ${if (n < 0) "- " + java.lang.Long.toUnsignedString(-n) else "+ $n"} is outside the ${if (isV6) "IPv6" else "IPv4"} address space")

    override fun compareTo(other: IpAddress): Int = when {
        isV6 != other.isV6 -> if (isV6) 1 else -1
        else -> ucmp128(high, low, other.high, other.low)
    }

    override fun equals(other: Any?): Boolean =
        other is IpAddress && other.isV6 == isV6 && other.high == high && other.low == low

    override fun hashCode(): Int = (31 * (31 * isV6.hashCode() + high.hashCode())) + low.hashCode()

    /** Canonical text: dotted quad, or RFC 5952 for IPv6. */
    override fun toString(): String = if (isV6) formatV6(high, low) else formatV4(low)

    public companion object {
        private const val V4_MAX = 0xFFFF_FFFFL

        /**
         * Parses an IPv4 or IPv6 literal; raises [InvalidSpecException] otherwise.
         *
         * IPv4 is a dotted quad of decimal octets 0..255; IPv6 is full, `::`-compressed, or ends in a
         * dotted quad (`::ffff:1.2.3.4`). Zones (`%eth0`) are refused.
         *
         * ```kotlin
         * IpAddress.parse("FD00:0::1").toString() // "fd00::1"
         * ```
         */
        public fun parse(text: String): IpAddress = parseIp(text, text)

        /**
         * An IPv4 address from its 32 bits.
         *
         * ```kotlin
         * IpAddress.ofV4(0x0A000001) // 10.0.0.1
         * ```
         */
        public fun ofV4(bits: Int): IpAddress = IpAddress(false, 0L, bits.toLong() and V4_MAX)

        /**
         * An address from 4 or 16 network-order bytes; other sizes raise [InvalidSpecException].
         *
         * ```kotlin
         * IpAddress.ofBytes(byteArrayOf(10, 0, 0, 1)) // 10.0.0.1
         * ```
         */
        public fun ofBytes(bytes: ByteArray): IpAddress = when (bytes.size) {
            4 -> {
                var v = 0L
                for (b in bytes) v = (v shl 8) or (b.toLong() and 0xFF)
                IpAddress(false, 0L, v)
            }
            16 -> {
                var hi = 0L
                var lo = 0L
                for (i in 0 until 8) hi = (hi shl 8) or (bytes[i].toLong() and 0xFF)
                for (i in 8 until 16) lo = (lo shl 8) or (bytes[i].toLong() and 0xFF)
                IpAddress(true, hi, lo)
            }
            else -> invalid("invalid address of ${bytes.size} bytes (expected 4 bytes for IPv4 or 16 for IPv6)")
        }

        /** An address from its family and 128 bits (IPv4: [low] holds the 32 bits, [high] is 0). */
        internal fun of(isV6: Boolean, high: Long, low: Long): IpAddress = IpAddress(isV6, high, low)
    }
}
