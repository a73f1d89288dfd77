package dev.kmap.dsl

import kotlinx.serialization.Serializable

/**
 * A service an [Expectation.Services] rule allows: its [name] (as in the port results, e.g.
 * `ssh`, `https`) and, optionally, a [version] glob (`*` any text, `?` one character) the
 * detected `product version` (or the version alone) must match. Versions come from service
 * detection (`-sV`); without it a port checked against a version pattern has no version to match
 * and fails the rule (it does not pass silently).
 *
 * ```kotlin
 * val ssh = AllowedService("ssh", version = "OpenSSH_9.*")
 * check(ssh.matchesVersion("OpenSSH_9.2p1"))
 * ```
 */
@Serializable
public data class AllowedService(val name: String, val version: String? = null) {
    init {
        if (name.isEmpty() || name.any { it.isWhitespace() || it == '@' }) {
            invalid("invalid service name \"$name\" (expected a name such as ssh or https, without spaces or @)")
        }
        if (version != null && (version.isEmpty() || version.any { it.isWhitespace() })) {
            invalid("invalid version pattern \"$version\" for service $name (expected a glob without spaces, e.g. OpenSSH_9.*)")
        }
    }

    /** True when [found] (a product/version string) matches [version]; true for any value without a pattern. */
    public fun matchesVersion(found: String?): Boolean {
        val pattern = version ?: return true
        if (found == null) return false
        val regex = buildString {
            for (c in pattern) append(
                when (c) {
                    '*' -> ".*"
                    '?' -> "."
                    else -> Regex.escape(c.toString())
                }
            )
        }
        return Regex(regex).matches(found)
    }

    /** `name` or `name@version` as in the expectation file. */
    public val text: String get() = if (version == null) name else "$name@$version"
}
