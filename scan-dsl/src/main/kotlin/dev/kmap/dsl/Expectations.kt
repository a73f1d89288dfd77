package dev.kmap.dsl

import dev.kmap.dsl.internal.JsonDocuments
import dev.kmap.dsl.internal.parseExpectationLines
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/**
 * A policy for scan results ("policy as code"): the [rules] a report must satisfy. Built with
 * [expectations] (or `expect { }` in the Gradle plugin), read from a file with [parse] (the CLI's
 * `--expect FILE`), serialized with [toJson]. It sits beside a [ScanPlan], not inside it. The
 * engine's `verify(report, expectations, baseline)` checks it.
 *
 * The file format is one rule per line (`#` starts a comment):
 * ```
 * open 443
 * open 22 from 10.0.0.0/8        # only hosts in 10.0.0.0/8 must have ssh open
 * open 53/udp
 * closed 23,25
 * nothing-else-open
 * services ssh https http@nginx*  # name, or name@version-glob
 * tls-valid-for 30 on 443,8443   # days; "on PORTS" is optional
 * service 443 nginx              # needs -sV: the detected service or product
 * min-version openssh 9.0        # needs -sV: every OpenSSH found is 9.0 or later
 * no-change-from-baseline
 * ```
 * A file whose first non-blank character is `{` is read as the JSON of [toJson].
 *
 * ```kotlin
 * val policy = Expectations.parse("open 443\nnothing-else-open\n", source = "policy.txt")
 * check(Expectations.fromJson(policy.toJson()) == policy)
 * ```
 */
@Serializable
public data class Expectations(val rules: List<Expectation> = emptyList()) {
    /** True when there is nothing to check. */
    public fun isEmpty(): Boolean = rules.isEmpty()

    /** The policy in the line format [parse] reads. */
    public fun toText(): String = rules.joinToString("") { it.text + "\n" }

    /** This policy as JSON. */
    public fun toJson(): String = json.encodeToString(serializer(), this)

    /** This policy's rules followed by [other]'s. */
    public operator fun plus(other: Expectations): Expectations = Expectations(rules + other.rules)

    public companion object {
        private val json = Json { encodeDefaults = false; prettyPrint = true }

        /** No rules. */
        public val NONE: Expectations = Expectations()

        /** Reads JSON written by [toJson]; raises [InvalidSpecException] for anything else. */
        @OptIn(InternalKmapApi::class)
        public fun fromJson(text: String): Expectations =
            JsonDocuments.decode(json, serializer(), text, "expectations")

        /**
         * Reads an expectation file: JSON if it starts with `{`, else the line format. A bad line
         * raises [InvalidSpecException] as `SOURCE:LINE: what is wrong (what was expected)`.
         */
        public fun parse(text: String, source: String = "expectations"): Expectations =
            if (text.trimStart().startsWith("{")) {
                try { fromJson(text) } catch (e: InvalidSpecException) { invalid("$source: ${e.message}") }
            } else {
                Expectations(parseExpectationLines(text, source))
            }
    }
}
