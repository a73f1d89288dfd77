package dev.kmap.report

import dev.kmap.dsl.Expectation
import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.Protocol
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanReport
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Locale

/**
 * Checks [report] against [expectations] and returns every violation (empty when all hold), by
 * host address, then in rule order, then by port. Hosts that could not be scanned
 * ([HostResult.error]) are not judged: that is a tool error for the caller to report. A host
 * found down breaks every `open` rule that applies to it.
 *
 * - `open P`: P was scanned and is open. `closed P`: P was scanned and is not open (closed,
 *   filtered, unfiltered, open|filtered all pass).
 * - `nothing-else-open`: every open port is expected by an `open` rule for the same host.
 * - `services`: every open port's service is allowed. [PortResult] carries only the conventional
 *   service name (kmap has no version detection yet), so a rule with a version pattern cannot be
 *   satisfied and fails with "version unknown".
 * - `tls-valid-for D`: every open TCP port among the rule's ports completes a TLS handshake
 *   ([tls], within [tlsTimeoutMillis]) and its certificate is still valid at [now] + D days.
 * - `no-change-from-baseline`: the open ports equal [baseline]'s for that host (a host missing
 *   from the baseline had nothing open); without a baseline it raises [InvalidSpecException].
 *
 * ```kotlin
 * val violations = verify(report, expectations { open(443); nothingElseOpen() })
 * violations.forEach { System.err.println(it.message) }
 * ```
 */
public fun verify(
    report: ScanReport,
    expectations: Expectations,
    baseline: Baseline? = null,
    tls: TlsCertificateReader = TlsCertificateReader.HANDSHAKE,
    now: Instant = Instant.now(),
    tlsTimeoutMillis: Long = 5_000,
): List<Violation> {
    if (baseline == null && expectations.rules.any { it is Expectation.NoChangeFromBaseline }) {
        throw InvalidSpecException("no-change-from-baseline needs a baseline, and none was given (write one first)")
    }
    val out = ArrayList<Violation>()
    for (h in report.hosts.filter { it.error == null }.sortedBy { it.host.address }) {
        val address = h.host.address
        val name = address.toString()
        val rules = expectations.rules.filter { it.appliesTo(address) }
        if (h.status != HostStatus.UP) {
            for (r in rules.filterIsInstance<Expectation.Open>()) {
                out += Violation(name, r.port, r.protocol, "open", "host ${h.status.name.lowercase()} (${h.reason})", r.text)
            }
            continue
        }
        val byPort = h.ports.associateBy { it.protocol to it.port }
        val open = h.ports.filter { it.state == PortState.OPEN }.sortedWith(PortResult.ORDER)
        for (rule in rules) when (rule) {
            is Expectation.Open -> {
                val found = byPort[rule.protocol to rule.port]
                if (found?.state != PortState.OPEN) out += Violation(name, rule.port, rule.protocol, "open", found?.state?.label ?: "not scanned", rule.text)
            }
            is Expectation.Closed -> {
                val found = byPort[rule.protocol to rule.port]
                if (found == null || found.state == PortState.OPEN) {
                    out += Violation(name, rule.port, rule.protocol, "not open", found?.state?.label ?: "not scanned", rule.text)
                }
            }
            is Expectation.NothingElseOpen -> {
                val allowed = rules.filterIsInstance<Expectation.Open>().map { it.protocol to it.port }.toSet()
                for (p in open) if ((p.protocol to p.port) !in allowed) out += Violation(name, p.port, p.protocol, "not open", "open", rule.text)
            }
            is Expectation.Services -> for (p in open) {
                val service = p.service ?: "unknown"
                val byName = rule.allowed.filter { it.name == service }
                val expected = "one of " + rule.allowed.joinToString(", ") { it.text }
                when {
                    byName.isEmpty() -> out += Violation(name, p.port, p.protocol, expected, service, rule.text)
                    // no version detection yet: PortResult has no version to match a pattern against
                    byName.none { it.matchesVersion(null) } -> out += Violation(name, p.port, p.protocol, expected, "$service (version unknown: kmap has no version detection yet)", rule.text)
                }
            }
            is Expectation.TlsCertificateValid -> for (p in open) {
                if (p.protocol != Protocol.TCP || p.port !in rule.ports) continue
                val expected = "a TLS certificate valid for ${rule.days} more days"
                val notAfter = try {
                    tls.notAfter(address, p.port, tlsTimeoutMillis)
                } catch (e: Exception) {
                    out += Violation(name, p.port, p.protocol, expected, "no TLS handshake (${e.javaClass.simpleName}: ${(e.message ?: "").lineSequence().firstOrNull().orEmpty()})", rule.text)
                    continue
                }
                if (notAfter.isBefore(now.plus(Duration.ofDays(rule.days.toLong())))) {
                    val found = if (notAfter.isBefore(now)) "a certificate that expired on ${DAY.format(notAfter)}"
                    else "a certificate that expires on ${DAY.format(notAfter)} (in ${Duration.between(now, notAfter).toDays()} days)"
                    out += Violation(name, p.port, p.protocol, expected, found, rule.text)
                }
            }
            is Expectation.NoChangeFromBaseline -> {
                val before = baseline!!.hosts[name].orEmpty().toSet()
                val nowOpen = Baseline.openPorts(h)
                for (p in nowOpen) if (p !in before) {
                    val (port, proto) = portOf(p)
                    out += Violation(name, port, proto, "not open (not in the baseline)", "open", rule.text)
                }
                for (p in before.sortedWith(compareBy({ portOf(it).second }, { portOf(it).first }))) if (p !in nowOpen) {
                    val (port, proto) = portOf(p)
                    out += Violation(name, port, proto, "open (as in the baseline)", byPort[proto to port]?.state?.label ?: "not scanned", rule.text)
                }
            }
        }
    }
    return out
}

private fun portOf(text: String): Pair<Int, Protocol> =
    text.substringBefore('/').toInt() to (if (text.endsWith("/udp")) Protocol.UDP else Protocol.TCP)

private val DAY: DateTimeFormatter = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC)
