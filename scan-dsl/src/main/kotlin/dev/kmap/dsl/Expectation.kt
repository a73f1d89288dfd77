package dev.kmap.dsl

import dev.kmap.dsl.internal.checkCidr
import dev.kmap.dsl.internal.networkOf
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * One rule of an [Expectations] policy: what the scan result must show. Every rule may be limited
 * to the hosts of one CIDR block or address ([from], null for every host); building a rule with a
 * bad [from] raises [InvalidSpecException]. Rules only describe; the engine's `verify` checks them.
 *
 * ```kotlin
 * val rule = Expectation.Open(22, from = "10.0.0.0/8")
 * check(rule.appliesTo(IpAddress.parse("10.1.2.3")))
 * ```
 */
@Serializable
public sealed interface Expectation {
    /** The CIDR block (or single address) whose hosts this rule applies to; null for all hosts. */
    public val from: String?

    /** This rule limited to the hosts of [cidr] (`10.0.0.0/8`, `fd00::/16`, `10.0.0.5`). */
    public fun from(cidr: String): Expectation

    /** True when this rule applies to a host at [address]. */
    public fun appliesTo(address: IpAddress): Boolean = from?.let { scopeContains(it, address) } ?: true

    /** The rule in the expectation file's line syntax, e.g. `open 22/tcp from 10.0.0.0/8`. */
    public val text: String

    /**
     * [port] must be open.
     *
     * ```kotlin
     * Expectation.Open(443).text // "open 443/tcp"
     * ```
     */
    @Serializable
    @SerialName("open")
    public data class Open(val port: Int, val protocol: Protocol = Protocol.TCP, override val from: String? = null) : Expectation {
        init { checkPort(port); checkScope(from) }
        override fun from(cidr: String): Open = copy(from = cidr)
        override val text: String get() = "open $port/${protocol.label}" + suffix(from)
    }

    /**
     * [port] must have been scanned and not be open (closed, filtered, unfiltered and open|filtered pass).
     *
     * ```kotlin
     * Expectation.Closed(23).text // "closed 23/tcp"
     * ```
     */
    @Serializable
    @SerialName("closed")
    public data class Closed(val port: Int, val protocol: Protocol = Protocol.TCP, override val from: String? = null) : Expectation {
        init { checkPort(port); checkScope(from) }
        override fun from(cidr: String): Closed = copy(from = cidr)
        override val text: String get() = "closed $port/${protocol.label}" + suffix(from)
    }

    /**
     * No port may be open except those an [Open] rule for the same host expects.
     *
     * ```kotlin
     * Expectation.NothingElseOpen().text // "nothing-else-open"
     * ```
     */
    @Serializable
    @SerialName("nothing-else-open")
    public data class NothingElseOpen(override val from: String? = null) : Expectation {
        init { checkScope(from) }
        override fun from(cidr: String): NothingElseOpen = copy(from = cidr)
        override val text: String get() = "nothing-else-open" + suffix(from)
    }

    /**
     * Every open port must run one of the [allowed] services (and version, where a pattern is given).
     *
     * ```kotlin
     * Expectation.Services(listOf(AllowedService("ssh"), AllowedService("https"))).text // "services ssh https"
     * ```
     */
    @Serializable
    @SerialName("services")
    public data class Services(val allowed: List<AllowedService>, override val from: String? = null) : Expectation {
        init {
            if (allowed.isEmpty()) invalid("services rule without any service (expected at least one name, e.g. services ssh https)")
            checkScope(from)
        }
        override fun from(cidr: String): Services = copy(from = cidr)
        override val text: String get() = "services " + allowed.joinToString(" ") { it.text } + suffix(from)
    }

    /**
     * [port] must be open and run [name]: the detected service name or product (case does not
     * matter), e.g. `nginx`, `http` or `OpenSSH`. Needs service detection (`-sV`).
     *
     * ```kotlin
     * Expectation.Service(443, "nginx").text // "service 443/tcp nginx"
     * ```
     */
    @Serializable
    @SerialName("service")
    public data class Service(val port: Int, val name: String, val protocol: Protocol = Protocol.TCP, override val from: String? = null) : Expectation {
        init {
            checkPort(port); checkScope(from)
            if (name.isEmpty() || name.any { it.isWhitespace() }) invalid("invalid service or product name \"$name\" (expected a word such as nginx or ssh)")
        }
        override fun from(cidr: String): Service = copy(from = cidr)
        override val text: String get() = "service $port/${protocol.label} $name" + suffix(from)
    }

    /**
     * Every open port whose detected product is [product] (case does not matter) must run at
     * least [version], compared number by number (`9.2p1` >= `9.0`; `1.22.1` < `1.24`). A port
     * whose product is found without a version breaks the rule. Needs service detection (`-sV`).
     *
     * ```kotlin
     * Expectation.MinVersion("OpenSSH", "9.0").text // "min-version OpenSSH 9.0"
     * ```
     */
    @Serializable
    @SerialName("min-version")
    public data class MinVersion(val product: String, val version: String, override val from: String? = null) : Expectation {
        init {
            checkScope(from)
            if (product.isEmpty() || product.any { it.isWhitespace() }) invalid("invalid product name \"$product\" (expected a word such as OpenSSH or nginx)")
            if (version.isEmpty() || version.none { it.isDigit() } || version.any { it.isWhitespace() }) invalid("invalid minimum version \"$version\" for $product (expected e.g. 9.0)")
        }
        override fun from(cidr: String): MinVersion = copy(from = cidr)
        override val text: String get() = "min-version $product $version" + suffix(from)

        /** True when [found] is at least [version] (numbers compared as numbers, other parts as text). */
        public fun isSatisfiedBy(found: String): Boolean = compareVersions(found, version) >= 0

        public companion object {
            /** Compares two version strings part by part: runs of digits as numbers, other runs as text. */
            public fun compareVersions(a: String, b: String): Int {
                val pa = parts(a)
                val pb = parts(b)
                for (i in 0 until maxOf(pa.size, pb.size)) {
                    val x = pa.getOrNull(i) ?: return if (pb.drop(i).all { it == "0" }) 0 else -1
                    val y = pb.getOrNull(i) ?: return if (pa.drop(i).all { it == "0" }) 0 else 1
                    val nx = x.toBigIntegerOrNull()
                    val ny = y.toBigIntegerOrNull()
                    val c = when {
                        nx != null && ny != null -> nx.compareTo(ny)
                        nx != null -> 1 // 9.2 > 9.beta
                        ny != null -> -1
                        else -> x.compareTo(y)
                    }
                    if (c != 0) return c
                }
                return 0
            }

            private fun parts(v: String): List<String> = Regex("\\d+|[A-Za-z]+").findAll(v).map { it.value }.toList()
        }
    }

    /**
     * The TLS certificate of every open port among [ports] must be one a client of that host
     * would accept, and stay valid for at least [days] more days: already valid, a chain to the
     * system trust store (or to the certificates of the PEM file [trust]), issued for the host's
     * name (or address). [allowSelfSigned] also accepts a self-signed certificate (still for
     * this host and within its dates).
     *
     * ```kotlin
     * Expectation.TlsCertificateValid(30, listOf(443)).text // "tls-valid-for 30 on 443"
     * Expectation.TlsCertificateValid(30, listOf(8443), allowSelfSigned = true).text // "tls-valid-for 30 on 8443 allow-self-signed"
     * ```
     */
    @Serializable
    @SerialName("tls-valid-for")
    public data class TlsCertificateValid(
        val days: Int,
        val ports: List<Int> = DEFAULT_TLS_PORTS,
        override val from: String? = null,
        val allowSelfSigned: Boolean = false,
        val trust: String? = null,
    ) : Expectation {
        init {
            if (days < 0) invalid("TLS validity of $days days is out of range (expected 0 or more days)")
            if (ports.isEmpty()) invalid("tls-valid-for without any port (expected e.g. on 443,8443)")
            ports.forEach { checkPort(it) }
            if (trust != null && (trust.isBlank() || trust.any { it.isWhitespace() || it.isISOControl() })) {
                invalid("invalid trust file \"$trust\" for tls-valid-for (expected a path without spaces)")
            }
            checkScope(from)
        }
        override fun from(cidr: String): TlsCertificateValid = copy(from = cidr)
        override val text: String get() = "tls-valid-for $days on ${ports.joinToString(",")}" +
            (if (allowSelfSigned) " allow-self-signed" else "") + (trust?.let { " trust $it" } ?: "") + suffix(from)
    }

    /**
     * The open ports must be those of the baseline: nothing opened and nothing closed since.
     *
     * ```kotlin
     * Expectation.NoChangeFromBaseline().text // "no-change-from-baseline"
     * ```
     */
    @Serializable
    @SerialName("no-change-from-baseline")
    public data class NoChangeFromBaseline(override val from: String? = null) : Expectation {
        init { checkScope(from) }
        override fun from(cidr: String): NoChangeFromBaseline = copy(from = cidr)
        override val text: String get() = "no-change-from-baseline" + suffix(from)
    }

    public companion object {
        /** The ports [TlsCertificateValid] checks unless told: the usual TLS services. */
        public val DEFAULT_TLS_PORTS: List<Int> = listOf(443, 465, 636, 853, 990, 993, 995, 5061, 6697, 8443)
    }
}

private fun suffix(from: String?) = if (from == null) "" else " from $from"

private fun checkPort(port: Int) {
    if (port !in 0..65535) invalid("port $port is out of range (ports are 0..65535)")
}

private fun checkScope(from: String?) {
    if (from != null) scope(from)
}

/** ([network], prefix) of a `from` value: a CIDR block or a single address. */
private fun scope(text: String): Pair<IpAddress, Int> {
    val slash = text.indexOf('/')
    if (slash < 0) {
        val a = try { IpAddress.parse(text) } catch (e: InvalidSpecException) {
            invalid("invalid host scope \"$text\" (expected a CIDR block such as 10.0.0.0/8 or an address)")
        }
        return a to (if (a.isV6) 128 else 32)
    }
    val base = try { IpAddress.parse(text.substring(0, slash)) } catch (e: InvalidSpecException) {
        invalid("invalid host scope \"$text\" (expected a CIDR block such as 10.0.0.0/8 or an address)")
    }
    val prefix = text.substring(slash + 1).toIntOrNull()
        ?: invalid("invalid CIDR prefix in \"$text\" (expected a number after /)")
    checkCidr(base, prefix)
    return base to prefix
}

private fun scopeContains(from: String, address: IpAddress): Boolean {
    val (net, prefix) = scope(from)
    return net.isV6 == address.isV6 && networkOf(address, prefix) == net
}
