package dev.kmap.dsl

/**
 * The rule an [ExpectBuilder] call just added; [from] limits it to the hosts of a CIDR block.
 *
 * ```kotlin
 * expectations { open(22) from "10.0.0.0/8" }
 * ```
 */
@KmapDsl
public class ExpectationHandle internal constructor(private val rules: MutableList<Expectation>, private val index: Int) {
    /** Applies the rule only to hosts in [cidr] (`10.0.0.0/8`, `fd00::/16` or one address). */
    public infix fun from(cidr: String) {
        rules[index] = rules[index].from(cidr)
    }
}
