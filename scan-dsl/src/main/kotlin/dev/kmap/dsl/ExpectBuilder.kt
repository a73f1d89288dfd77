package dev.kmap.dsl

/**
 * The receiver of [expectations] (and of `expect { }` in the Gradle plugin): each call adds one
 * rule and returns its [ExpectationHandle], so `from` can limit it to some hosts.
 *
 * ```kotlin
 * expectations { open(443); open(22) from "10.0.0.0/8"; closed(23); nothingElseOpen() }
 * ```
 */
@KmapDsl
public class ExpectBuilder {
    private val rules = ArrayList<Expectation>()

    /** [port] must be open. */
    @JvmOverloads
    public fun open(port: Int, protocol: Protocol = Protocol.TCP): ExpectationHandle = add(Expectation.Open(port, protocol))

    /** [port] must not be open. */
    @JvmOverloads
    public fun closed(port: Int, protocol: Protocol = Protocol.TCP): ExpectationHandle = add(Expectation.Closed(port, protocol))

    /** No port may be open except those [open] expects. */
    public fun nothingElseOpen(): ExpectationHandle = add(Expectation.NothingElseOpen())

    /** Open ports may run only the services [names] (`services("ssh", "https")`). */
    public fun services(vararg names: String): ExpectationHandle =
        add(Expectation.Services(names.map { AllowedService(it) }))

    /** Open ports may run only [allowed] services, with version patterns. */
    public fun services(allowed: List<AllowedService>): ExpectationHandle = add(Expectation.Services(allowed))

    /** TLS certificates on the open [ports] must stay valid for at least [days] more days. */
    @JvmOverloads
    public fun tlsCertificateValidFor(days: Int, ports: List<Int> = Expectation.DEFAULT_TLS_PORTS): ExpectationHandle =
        add(Expectation.TlsCertificateValid(days, ports))

    /** The open ports must match the baseline. */
    public fun noChangeFromBaseline(): ExpectationHandle = add(Expectation.NoChangeFromBaseline())

    /** Adds the rules of [other]. */
    public fun include(other: Expectations) { rules += other.rules }

    private fun add(rule: Expectation): ExpectationHandle {
        rules += rule
        return ExpectationHandle(rules, rules.size - 1)
    }

    /** The policy built so far. */
    public fun build(): Expectations = Expectations(rules.toList())
}

/**
 * Builds an [Expectations] policy. Bad values raise [InvalidSpecException] with a one-line message.
 *
 * ```kotlin
 * val policy = expectations {
 *     open(443)
 *     open(22) from "10.0.0.0/8"
 *     services("ssh", "https")
 *     tlsCertificateValidFor(days = 30)
 *     nothingElseOpen()
 * }
 * ```
 */
public fun expectations(block: ExpectBuilder.() -> Unit): Expectations = ExpectBuilder().apply(block).build()
