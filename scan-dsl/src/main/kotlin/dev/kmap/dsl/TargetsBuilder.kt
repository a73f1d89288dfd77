package dev.kmap.dsl

/**
 * The receiver of `targets { }`: what to scan and what to leave out.
 *
 * ```kotlin
 * scan { targets { cidr("10.0.0.0/24"); host("db.internal"); exclude("10.0.0.1"); randomize(seed = 42) } }
 * ```
 */
@KmapDsl
public class TargetsBuilder internal constructor() {
    private val includes = ArrayList<TargetSpec>()
    private val excludes = ArrayList<TargetSpec>()
    private var randomize = false
    private var seed = 0L
    private var shard = Shard.WHOLE

    /** Adds a target in any nmap form: address, CIDR, octet range, address range or host name. */
    public fun add(spec: String) { includes += TargetSpec.parse(spec) }

    /** Adds an address. */
    public fun address(text: String) { includes += expect<TargetSpec.Address>(text, "an IP address") }

    /** Adds a CIDR block such as `10.0.0.0/24` or `fd00::/120`. */
    public fun cidr(text: String) { includes += expect<TargetSpec.Cidr>(text, "a CIDR block such as 10.0.0.0/24") }

    /** Adds an nmap octet range such as `10.0.0-3.1-254`. */
    public fun octets(text: String) {
        includes += expect<TargetSpec.OctetRange>(text, "an octet range such as 10.0.0-3.1-254")
    }

    /** Adds the inclusive address range [first]..[last]. */
    public fun range(first: String, last: String) { includes += TargetSpec.parse("$first-$last") }

    /** Adds a host name, or an address written as one; names are resolved by the engine. */
    public fun host(name: String) { includes += TargetSpec.parse(name) }

    /** Adds every target listed in a file (`-iL`); `-` is standard input. */
    public fun file(path: String) { includes += TargetSpec.File(checkPath(path)) }

    /** Leaves out targets in any nmap form (`--exclude`). */
    public fun exclude(vararg specs: String) { specs.forEach { excludes += TargetSpec.parse(it) } }

    /** Leaves out every target listed in a file (`--excludefile`). */
    public fun excludeFile(path: String) { excludes += TargetSpec.File(checkPath(path)) }

    /** Visits hosts in a seeded random order (a full-cycle permutation) instead of in sequence. */
    public fun randomize(seed: Long = 0) { randomize = true; this.seed = seed }

    /** Scans only shard [index] of [count] (1-based). */
    public fun shard(index: Int, count: Int) { shard = Shard.parse("$index/$count") }

    internal fun build(): Targets = Targets(includes.toList(), excludes.toList(), randomize, seed, shard)

    private inline fun <reified T : TargetSpec> expect(text: String, what: String): T =
        TargetSpec.parse(text) as? T ?: invalid("invalid target \"$text\" (expected $what)")

    private fun checkPath(path: String): String =
        if (path.isEmpty() || '\u0000' in path) invalid("invalid target file name \"$path\" (expected a path or -)") else path
}
