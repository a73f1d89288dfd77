package dev.kmap.dsl.internal

/*
 * 128-bit unsigned arithmetic on (high, low) Long pairs, used for IPv6 (and, with high = 0,
 * IPv4) addresses on the hot path instead of BigInteger.
 */

/** Unsigned comparison of two Longs. */
internal fun ucmp(a: Long, b: Long): Int = (a xor Long.MIN_VALUE).compareTo(b xor Long.MIN_VALUE)

/** Unsigned comparison of the 128-bit values (aHi, aLo) and (bHi, bLo). */
internal fun ucmp128(aHi: Long, aLo: Long, bHi: Long, bLo: Long): Int =
    if (aHi != bHi) ucmp(aHi, bHi) else ucmp(aLo, bLo)

/** Carry out of the unsigned addition `a + b` of two low words (0 or 1). */
internal fun carry(a: Long, b: Long): Long = if (ucmp(a + b, a) < 0) 1L else 0L

/** Borrow out of the unsigned subtraction `a - b` of two low words (0 or 1). */
internal fun borrow(a: Long, b: Long): Long = if (ucmp(a, b) < 0) 1L else 0L

/** Network mask of [prefix] bits over [bits] (32 or 128) as (high, low). */
internal fun prefixMaskHigh(bits: Int, prefix: Int): Long = when {
    bits == 32 -> 0L
    prefix >= 64 -> -1L
    prefix == 0 -> 0L
    else -> -1L shl (64 - prefix)
}

/** Low word of the network mask of [prefix] bits over [bits] (32 or 128). */
internal fun prefixMaskLow(bits: Int, prefix: Int): Long = when {
    bits == 32 -> if (prefix == 0) 0L else (-1L shl (32 - prefix)) and 0xFFFF_FFFFL
    prefix <= 64 -> 0L
    prefix == 128 -> -1L
    else -> -1L shl (128 - prefix)
}
