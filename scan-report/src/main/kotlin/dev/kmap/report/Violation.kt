package dev.kmap.report

import dev.kmap.dsl.Protocol
import kotlinx.serialization.Serializable

/**
 * One broken expectation: on [host] (an address), at [port]/[protocol] (null when the rule is
 * about the host as a whole), the [rule] (in the expectation file's syntax) wanted [expected] and
 * the scan [found] something else. [message] is the one line every output prints.
 *
 * ```kotlin
 * verify(report, expectations { closed(23) }).forEach { println(it.message) }
 * // 10.0.0.5 port 23/tcp: expected not open (closed 23/tcp), found open
 * ```
 */
@Serializable
public data class Violation(
    val host: String,
    val port: Int?,
    val protocol: Protocol?,
    val expected: String,
    val found: String,
    val rule: String,
) {
    /** `HOST port PORT/PROTO: expected EXPECTED (RULE), found FOUND` on one line. */
    val message: String
        get() = "$host${if (port != null) " port $port/${protocol?.label ?: "tcp"}" else ""}: expected $expected ($rule), found $found"
}
