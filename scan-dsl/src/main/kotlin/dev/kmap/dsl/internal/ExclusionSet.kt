package dev.kmap.dsl.internal

import dev.kmap.dsl.TargetSpec
import dev.kmap.dsl.invalid

/**
 * The exclusions of an expansion: address intervals per family (merged, binary-searched),
 * octet patterns (matched one by one) and host names (case-insensitive). Its size depends on
 * the exclusion list only, never on the number of targets.
 */
internal class ExclusionSet(specs: List<TargetSpec>) {
    private val v4: IntervalSet
    private val v6: IntervalSet
    private val octets: Array<OctetPattern>
    private val names: Set<String>

    init {
        val v4List = ArrayList<LongArray>()
        val v6List = ArrayList<LongArray>()
        val octetList = ArrayList<OctetPattern>()
        val nameSet = HashSet<String>()
        for (spec in specs) {
            when (spec) {
                is TargetSpec.Address -> {
                    val a = spec.address
                    (if (a.isV6) v6List else v4List) += longArrayOf(a.high, a.low, a.high, a.low)
                }
                is TargetSpec.Cidr -> {
                    val b = spec.base
                    val bits = if (b.isV6) 128 else 32
                    val hostHi = prefixMaskHigh(bits, spec.prefix).inv().let { if (b.isV6) it else 0L }
                    val hostLo = prefixMaskLow(bits, spec.prefix).inv().let { if (b.isV6) it else it and 0xFFFF_FFFFL }
                    (if (b.isV6) v6List else v4List) += longArrayOf(b.high, b.low, b.high or hostHi, b.low or hostLo)
                }
                is TargetSpec.AddressRange -> {
                    val f = spec.first
                    val l = spec.last
                    (if (f.isV6) v6List else v4List) += longArrayOf(f.high, f.low, l.high, l.low)
                }
                is TargetSpec.OctetRange -> octetList += OctetPattern.parse(spec.text)
                is TargetSpec.HostName -> nameSet += spec.name.lowercase()
                is TargetSpec.File -> invalid("exclusion file ${quote(spec.path)} must be read before it is applied")
            }
        }
        v4 = IntervalSet(v4List)
        v6 = IntervalSet(v6List)
        octets = octetList.toTypedArray()
        names = nameSet
    }

    /** True if the address (family [isV6], bits (hi, lo)) is excluded. */
    fun excludesIp(isV6: Boolean, hi: Long, lo: Long): Boolean {
        if (isV6) return v6.contains(hi, lo)
        if (v4.contains(hi, lo)) return true
        for (p in octets) if (p.contains(lo)) return true
        return false
    }

    /** True if the host name with lowercase [key] is excluded. */
    fun excludesName(key: String): Boolean = key in names
}
