package dev.kmap.engine.service.internal

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ServiceMatch
import dev.kmap.dsl.ServiceProbe

/** What a probe file held: its probes, the ports never probed (nmap's `Exclude`), and match lines skipped with why. */
internal class ParsedProbes(val probes: List<ServiceProbe>, val excludeTcp: PortList, val excludeUdp: PortList, val skipped: List<String>)

/** Line errors as `file:line: message`; a parser collects nothing past the first. */
internal fun lineError(source: String, line: Int, message: String): Nothing = throw InvalidSpecException("$source:$line: $message")

/** Ports as in nmap's probe files: `80,443,8000-8100`, optionally `T:`/`U:` prefixed lists (Exclude). */
internal fun parsePortList(text: String): PortList {
    val ranges = text.split(',').map { it.trim() }.filter { it.isNotEmpty() }.map { item ->
        val a = item.substringBefore('-')
        val b = item.substringAfter('-', a)
        val from = a.toIntOrNull()?.takeIf { it in 0..65535 } ?: throw IllegalArgumentException("invalid port \"$a\" in \"$item\" (expected 0..65535)")
        val to = b.toIntOrNull()?.takeIf { it in 0..65535 } ?: throw IllegalArgumentException("invalid port \"$b\" in \"$item\" (expected 0..65535)")
        if (to < from) throw IllegalArgumentException("port range \"$item\" runs backwards")
        from..to
    }
    return PortList.ofRanges(ranges)
}

/**
 * kmap's probe file format: readable blocks, one directive per line, `#` comments.
 *
 * ```
 * probe GetRequest tcp
 *   send "GET / HTTP/1.0\r\n\r\n"
 *   ports 80,8080
 *   sslports 443
 *   rarity 1
 *   wait 5000
 *   fallback NULL
 *
 *   match http /^HTTP\/1\.[01] \d+.*\r\nServer: nginx\/([\d.]+)/s
 *     product nginx
 *     version $1
 *     cpe cpe:/a:igor_sysoev:nginx:$1
 *   softmatch http /^HTTP\/1\.[01] \d\d\d /
 * ```
 *
 * `probe NAME tcp|udp` opens a probe; `send`, `ports`, `sslports`, `rarity` (1..9), `wait` and
 * `tcpwrapped` (milliseconds) and `fallback` (probe names) describe it. `match SERVICE` and
 * `softmatch SERVICE` add a rule: a delimiter, the pattern, the same delimiter, flags `i`/`s`; the
 * pattern ends at the LAST delimiter on the line, so it may contain the delimiter itself. The
 * lines after a rule (`product`, `version`, `info`, `hostname`, `os`, `device`, `cpe`,
 * repeatable) fill it in; values are the rest of the line, or a "quoted string" with C escapes.
 */
internal object KmapProbeFormat {
    fun parse(text: String, source: String): ParsedProbes {
        val probes = ArrayList<ServiceProbe>()
        var probe: ProbeDraft? = null
        var match: MatchDraft? = null
        fun closeMatch() { match?.let { m -> probe!!.matches += m.build(source) }; match = null }
        fun closeProbe() { closeMatch(); probe?.let { probes += it.build(source) }; probe = null }
        text.lines().forEachIndexed { index, raw ->
            val n = index + 1
            val line = raw.trim()
            if (line.isEmpty() || line.startsWith("#")) return@forEachIndexed
            val keyword = line.substringBefore(' ').substringBefore('\t')
            val rest = line.substring(keyword.length).trim()
            fun fail(message: String): Nothing = lineError(source, n, message)
            fun needProbe(): ProbeDraft = probe ?: fail("\"$keyword\" outside a probe (expected a \"probe NAME tcp|udp\" line first)")
            fun needMatch(): MatchDraft = match ?: fail("\"$keyword\" outside a match (expected a \"match SERVICE /pattern/\" line first)")
            fun number(range: LongRange): Long = rest.toLongOrNull()?.takeIf { it in range } ?: fail("$keyword \"$rest\" is out of range (expected a number ${range.first}..${range.last})")
            when (keyword) {
                "probe" -> {
                    closeProbe()
                    val words = rest.split(Regex("\\s+"))
                    if (words.size != 2) fail("probe expects NAME tcp|udp (got \"$rest\")")
                    val protocol = when (words[1]) { "tcp" -> Protocol.TCP; "udp" -> Protocol.UDP; else -> fail("unknown protocol \"${words[1]}\" (expected tcp or udp)") }
                    if (probes.any { it.name == words[0] && it.protocol == protocol }) fail("probe ${words[0]} ${words[1]} is defined twice")
                    probe = ProbeDraft(words[0], protocol, n)
                }
                "send" -> { closeMatch(); needProbe().payload = try { Escapes.unescape(quoted(rest) ?: fail("send expects a \"quoted string\" (got $rest)")) } catch (e: IllegalArgumentException) { fail("send: ${e.message}") } }
                "ports" -> { closeMatch(); needProbe().ports = ports(rest) { fail(it) } }
                "sslports" -> { closeMatch(); needProbe().sslPorts = ports(rest) { fail(it) } }
                "rarity" -> { closeMatch(); needProbe().rarity = number(1L..9L).toInt() }
                "wait" -> { closeMatch(); needProbe().wait = number(1L..600_000L) }
                "tcpwrapped" -> { closeMatch(); needProbe().tcpWrapped = number(1L..600_000L) }
                "fallback" -> { closeMatch(); needProbe().fallback += rest.split(',').map { it.trim() }.filter { it.isNotEmpty() }.ifEmpty { fail("fallback needs probe names") } }
                "match", "softmatch" -> {
                    closeMatch()
                    val p = needProbe()
                    val service = rest.substringBefore(' ').substringBefore('\t')
                    if (service.isEmpty()) fail("$keyword expects SERVICE /pattern/flags")
                    val spec = rest.substring(service.length).trim()
                    if (spec.length < 2) fail("$keyword $service: missing /pattern/")
                    val delim = spec[0]
                    if (delim.isLetterOrDigit() || delim.isWhitespace()) fail("$keyword $service: the pattern must start with a delimiter such as / or | (got \"$delim\")")
                    val last = spec.lastIndexOf(delim)
                    if (last == 0) fail("$keyword $service: the pattern has no closing $delim")
                    val flags = spec.substring(last + 1)
                    if (flags.any { it != 'i' && it != 's' }) fail("$keyword $service: unknown flags \"$flags\" after the pattern (expected i and/or s, nothing else on the line)")
                    match = MatchDraft(service, spec.substring(1, last), 'i' in flags, 's' in flags, keyword == "softmatch", n, p.name)
                }
                "product", "version", "info", "hostname", "os", "device", "cpe" -> {
                    val m = needMatch()
                    val value = quoted(rest)?.let { q -> try { Escapes.unescape(q) } catch (e: IllegalArgumentException) { fail("$keyword: ${e.message}") } } ?: rest
                    if (value.isEmpty()) fail("$keyword needs a value")
                    if (keyword == "cpe") {
                        if (!value.startsWith("cpe:/")) fail("cpe \"$value\" does not start with cpe:/ (expected e.g. cpe:/a:vendor:product:\$1)")
                        m.cpe += value
                    } else {
                        if (m.fields.containsKey(keyword)) fail("$keyword given twice for one match")
                        m.fields[keyword] = value
                    }
                }
                else -> fail("unknown directive \"$keyword\" (expected probe, send, ports, sslports, rarity, wait, tcpwrapped, fallback, match, softmatch, product, version, info, hostname, os, device or cpe)")
            }
        }
        closeProbe()
        checkFallbacks(probes, source)
        return ParsedProbes(probes, PortList.EMPTY, PortList.EMPTY, emptyList())
    }

    private fun quoted(text: String): String? {
        if (!text.startsWith("\"")) return null
        if (text.length < 2 || !text.endsWith("\"") || text.endsWith("\\\"") && !text.endsWith("\\\\\"")) return null
        return text.substring(1, text.length - 1)
    }

    private inline fun ports(text: String, fail: (String) -> Nothing): PortList =
        try { parsePortList(text) } catch (e: IllegalArgumentException) { fail(e.message ?: "invalid ports") }
}

internal fun checkFallbacks(probes: List<ServiceProbe>, source: String) {
    val names = probes.map { it.name }.toSet()
    for (p in probes) for (f in p.fallback) {
        if (f !in names) throw InvalidSpecException("${p.source ?: source}: probe ${p.name} falls back to unknown probe \"$f\"")
    }
}

internal class ProbeDraft(val name: String, val protocol: Protocol, val line: Int) {
    var payload = ""
    var ports = PortList.EMPTY
    var sslPorts = PortList.EMPTY
    var rarity = 1
    var wait = ServiceProbe.DEFAULT_WAIT_MILLIS
    var tcpWrapped = ServiceProbe.DEFAULT_TCPWRAPPED_MILLIS
    val fallback = ArrayList<String>()
    val matches = ArrayList<ServiceMatch>()

    fun build(source: String): ServiceProbe = try {
        ServiceProbe(name, protocol, payload, ports, sslPorts, rarity, wait, tcpWrapped, fallback.toList(), matches.toList(), "$source:$line")
    } catch (e: InvalidSpecException) {
        lineError(source, line, e.message ?: "invalid probe")
    }
}

internal class MatchDraft(
    val service: String, val pattern: String, val ignoreCase: Boolean, val dotAll: Boolean, val soft: Boolean, val line: Int, val probe: String,
) {
    val fields = LinkedHashMap<String, String>()
    val cpe = ArrayList<String>()

    /** Checks the pattern compiles (translated from PCRE) and the templates refer to existing groups. */
    fun build(source: String): ServiceMatch {
        val compiled = try {
            PcreTranslator.compile(pattern, ignoreCase, dotAll)
        } catch (e: IllegalArgumentException) {
            lineError(source, line, "${if (soft) "softmatch" else "match"} $service: bad pattern: ${e.message?.lineSequence()?.first()}")
        }
        val groups = compiled.matcher("").groupCount()
        for (t in fields.values + cpe) MatchTemplate.check(t, groups)?.let { lineError(source, line, "match $service: $it") }
        return try {
            ServiceMatch(
                service, pattern, ignoreCase, dotAll, soft, fields["product"], fields["version"], fields["info"], fields["hostname"],
                fields["os"], fields["device"], cpe.toList(), "$source:$line",
            )
        } catch (e: InvalidSpecException) {
            lineError(source, line, e.message ?: "invalid match")
        }
    }
}
