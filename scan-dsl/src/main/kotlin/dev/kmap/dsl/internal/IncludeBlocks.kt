package dev.kmap.dsl.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.TargetSpec
import dev.kmap.dsl.invalid

/** Most addresses one IPv6 include block may hold (2^32, a /96). */
internal const val MAX_V6_BLOCK: Long = 1L shl 32

/** Largest index space of one expansion (2^40 addresses and names). */
internal const val MAX_INDEX_SPACE: Long = 1L shl 40

/** One include of the index space: a contiguous run of [size] indexes mapping to hosts. */
internal sealed class IncludeBlock {
    abstract val size: Long
}

/**
 * A contiguous address interval `first..last` of one family (CIDR, address range or single
 * address); index i is `first + i`.
 */
internal class RangeBlock(
    val v6: Boolean,
    val firstHi: Long,
    val firstLo: Long,
    val lastHi: Long,
    val lastLo: Long,
    override val size: Long,
) : IncludeBlock()

/** An octet pattern; index i is the pattern's i-th address in mixed radix. */
internal class OctetBlock(val pattern: OctetPattern) : IncludeBlock() {
    override val size: Long get() = pattern.size
}

/** A host name (one index). */
internal class NameBlock(val name: String) : IncludeBlock() {
    /** Case-insensitive identity for de-duplication and exclusion. */
    val key: String = name.lowercase()
    override val size: Long get() = 1L
}

/**
 * The include block for [spec] (not a file); raises [dev.kmap.dsl.InvalidSpecException] for an
 * IPv6 block too wide to sweep.
 */
internal fun includeBlockOf(spec: TargetSpec): IncludeBlock = when (spec) {
    is TargetSpec.Address -> single(spec.address)
    is TargetSpec.Cidr -> cidrBlock(spec.base, spec.prefix)
    is TargetSpec.AddressRange -> rangeBlock(spec.first, spec.last)
    is TargetSpec.OctetRange -> OctetBlock(OctetPattern.parse(spec.text))
    is TargetSpec.HostName -> NameBlock(spec.name)
    is TargetSpec.File -> invalid("target file ${quote(spec.path)} must be read before it is expanded")
}

private fun single(a: IpAddress) = RangeBlock(a.isV6, a.high, a.low, a.high, a.low, 1L)

private fun cidrBlock(base: IpAddress, prefix: Int): RangeBlock {
    val hostBits = (if (base.isV6) 128 else 32) - prefix
    if (base.isV6 && hostBits > 32) {
        invalid(
            "IPv6 prefix /$prefix in ${quote("$base/$prefix")} is too wide to sweep " +
                "(at most 2^32 addresses, i.e. /96 or longer)",
        )
    }
    val size = 1L shl hostBits
    // The base is aligned to 2^hostBits (hostBits <= 32), so adding size - 1 never carries.
    return RangeBlock(base.isV6, base.high, base.low, base.high, base.low + (size - 1), size)
}

private fun rangeBlock(first: IpAddress, last: IpAddress): RangeBlock {
    val dLo = last.low - first.low
    val dHi = last.high - first.high - borrow(last.low, first.low)
    if (dHi != 0L || ucmp(dLo, MAX_V6_BLOCK - 1) > 0) {
        invalid("IPv6 range ${quote("$first-$last")} is too wide to sweep (at most 2^32 addresses)")
    }
    return RangeBlock(first.isV6, first.high, first.low, last.high, last.low, dLo + 1)
}

/** Raises unless the sum of [sizes] fits the index space. */
internal fun checkIndexSpace(total: Long) {
    if (total > MAX_INDEX_SPACE) {
        invalid("too many targets: the index space would exceed 2^40 = $MAX_INDEX_SPACE addresses and names")
    }
}
